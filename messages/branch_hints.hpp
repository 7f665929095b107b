// Branch hints for the parser's fast paths. The fast paths read the forms peers send every day;
// each test that fails hands the input to a slower, complete path. Without hints, GCC lays some
// of those rare exits out as the straight path and jumps around them on every message. A
// profile-guided build, which lays the paths out by their counts, parsed the SIPp INVITE 4-7%
// faster, most of it in fast_views.cpp; these hints give that layout without a profile
// (bench/RESULTS.md, session 11). Internal to messages/.
#pragma once

#define SIPACTOR_LIKELY(x) __builtin_expect(!!(x), 1)
#define SIPACTOR_UNLIKELY(x) __builtin_expect(!!(x), 0)

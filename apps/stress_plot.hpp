// The plot of a `sipactor stress` run: rate, failures and latency over time, one SVG.
#pragma once

#include <string>
#include <vector>

#include "apps/stress_stats.hpp"

namespace sipactor::apps {

std::string render_stress_svg(const std::vector<second_sample>& samples, const std::string& title);

}  // namespace sipactor::apps

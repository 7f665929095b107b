// Messages of RFC 3665 (SIP basic call flow examples) used as scripts by the dialog tests, as the
// RFC prints them but without SDP bodies.
#pragma once

#include <string>

#include "tests/actors/ua_test_messages.hpp"

namespace sipactor::rfc3665 {

// §3.2, Session Establishment Through Two Proxies.
// F4: Alice's INVITE with credentials, as she sends it to Proxy 1.
inline std::string s32_f4_invite() {
  return ua_test::sip({
      "INVITE sip:bob@biloxi.example.com SIP/2.0",
      "Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
      "Max-Forwards: 70",
      "Route: <sip:ss1.atlanta.example.com;lr>",
      "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
      "To: Bob <sip:bob@biloxi.example.com>",
      "Call-ID: 3848276298220188511@atlanta.example.com",
      "CSeq: 2 INVITE",
      "Contact: <sip:alice@client.atlanta.example.com;transport=tcp>",
      "Proxy-Authorization: Digest username=\"alice\", realm=\"atlanta.example.com\", "
      "nonce=\"wf84f1ceczx41ae6cbe5aea9c8e88d359\", opaque=\"\", uri=\"sip:bob@biloxi.example.com\", "
      "response=\"42ce3cef44b22f50c6a6071bc8\"",
  });
}

// F7: the INVITE as it reaches Bob, with both Record-Route values on one line.
inline std::string s32_f7_invite() {
  return ua_test::sip({
      "INVITE sip:bob@client.biloxi.example.com SIP/2.0",
      "Via: SIP/2.0/TCP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4.1",
      "Via: SIP/2.0/TCP ss1.atlanta.example.com:5060;branch=z9hG4bK2d4790.1;received=192.0.2.111",
      "Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101",
      "Max-Forwards: 68",
      "Record-Route: <sip:ss2.biloxi.example.com;lr>, <sip:ss1.atlanta.example.com;lr>",
      "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
      "To: Bob <sip:bob@biloxi.example.com>",
      "Call-ID: 3848276298220188511@atlanta.example.com",
      "CSeq: 2 INVITE",
      "Contact: <sip:alice@client.atlanta.example.com;transport=tcp>",
  });
}

// F11 (180) and F14 (200) as they reach Alice.
inline std::string s32_to_alice(int status) {
  std::string start = status == 180 ? "SIP/2.0 180 Ringing" : "SIP/2.0 200 OK";
  return ua_test::sip({
      start,
      "Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101",
      "Record-Route: <sip:ss2.biloxi.example.com;lr>, <sip:ss1.atlanta.example.com;lr>",
      "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
      "To: Bob <sip:bob@biloxi.example.com>;tag=314159",
      "Call-ID: 3848276298220188511@atlanta.example.com",
      "Contact: <sip:bob@client.biloxi.example.com;transport=tcp>",
      "CSeq: 2 INVITE",
  });
}

// F20: Bob's BYE as it reaches Alice.
inline std::string s32_f20_bye() {
  return ua_test::sip({
      "BYE sip:alice@client.atlanta.example.com SIP/2.0",
      "Via: SIP/2.0/TCP ss1.atlanta.example.com:5060;branch=z9hG4bK2d4790.1",
      "Via: SIP/2.0/TCP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4.1;received=192.0.2.222",
      "Via: SIP/2.0/TCP client.biloxi.example.com:5060;branch=z9hG4bKnashds7;received=192.0.2.201",
      "Max-Forwards: 68",
      "From: Bob <sip:bob@biloxi.example.com>;tag=314159",
      "To: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
      "Call-ID: 3848276298220188511@atlanta.example.com",
      "CSeq: 1 BYE",
  });
}

// §3.7, Session with re-INVITE (IP Address Change): F1 as Alice sends it, F7 as she receives it,
// and Bob's re-INVITE F9 with his new Contact.
inline std::string s37_f1_invite() {
  return ua_test::sip({
      "INVITE sip:bob@biloxi.example.com SIP/2.0",
      "Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
      "Max-Forwards: 70",
      "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
      "To: Bob <sip:bob@biloxi.example.com>",
      "Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
      "CSeq: 1 INVITE",
      "Contact: <sip:alice@client.atlanta.example.com>",
  });
}

inline std::string s37_f7_ok() {
  return ua_test::sip({
      "SIP/2.0 200 OK",
      "Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101",
      "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
      "To: Bob <sip:bob@biloxi.example.com>;tag=314159",
      "Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
      "CSeq: 1 INVITE",
      "Contact: <sip:bob@client.biloxi.example.com>",
  });
}

inline std::string s37_f9_reinvite() {
  return ua_test::sip({
      "INVITE sip:alice@client.atlanta.example.com SIP/2.0",
      "Via: SIP/2.0/UDP client.chicago.example.com:5060;branch=z9hG4bKlkld5l",
      "Max-Forwards: 70",
      "From: Bob <sip:bob@biloxi.example.com>;tag=314159",
      "To: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
      "Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
      "CSeq: 14 INVITE",
      "Contact: <sip:bob@client.chicago.example.com>",
  });
}

}  // namespace sipactor::rfc3665

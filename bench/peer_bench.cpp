// The peer parsers on the same bytes as sipactor: libosip2 and sofia-sip, each a full parse of
// the message followed by reads of the fields a proxy needs (top Via branch and host, From and
// To tags, Call-ID, CSeq, Max-Forwards, Request-URI host, first Contact host), then the free.
//
// Built without -Werror (the C headers are not warning-clean); compiled only with the peers
// that were found (SIPACTOR_BENCH_HAVE_OSIP2, SIPACTOR_BENCH_HAVE_SOFIA).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "bench_common.hpp"

#ifdef SIPACTOR_BENCH_HAVE_OSIP2
#include <osipparser2/osip_parser.h>
#endif

#ifdef SIPACTOR_BENCH_HAVE_SOFIA
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/url.h>
#endif

namespace sipactor::bench {
namespace {

std::string str(const char* s) { return s == nullptr ? std::string() : std::string(s); }

// ------------------------------------------------------------------ libosip2
#ifdef SIPACTOR_BENCH_HAVE_OSIP2
char osip_branch_name[] = "branch";
char osip_tag_name[] = "tag";

void* osip_parse(std::string_view bytes) {
  osip_message_t* m = nullptr;
  if (osip_message_init(&m) != 0) return nullptr;
  if (osip_message_parse(m, bytes.data(), bytes.size()) != 0) {
    osip_message_free(m);
    return nullptr;
  }
  return m;
}

void osip_destroy(void* p) { osip_message_free(static_cast<osip_message_t*>(p)); }

// What the timed loop touches; returns a value depending on every field read.
inline std::size_t osip_touch(osip_message_t* m) {
  std::size_t sum = 0;
  osip_via_t* via = nullptr;
  if (osip_message_get_via(m, 0, &via) >= 0 && via != nullptr) {
    osip_generic_param_t* branch = nullptr;
    if (osip_via_param_get_byname(via, osip_branch_name, &branch) == 0 && branch && branch->gvalue)
      sum += static_cast<unsigned char>(branch->gvalue[0]);
    if (via->host) sum += static_cast<unsigned char>(via->host[0]);
  }
  osip_generic_param_t* tag = nullptr;
  if (m->from && osip_from_param_get_byname(m->from, osip_tag_name, &tag) == 0 && tag && tag->gvalue)
    sum += static_cast<unsigned char>(tag->gvalue[0]);
  tag = nullptr;
  if (m->to && osip_to_param_get_byname(m->to, osip_tag_name, &tag) == 0 && tag && tag->gvalue)
    sum += static_cast<unsigned char>(tag->gvalue[0]);
  if (m->call_id && m->call_id->number) sum += static_cast<unsigned char>(m->call_id->number[0]);
  if (m->cseq && m->cseq->number) sum += std::strtoul(m->cseq->number, nullptr, 10);
  osip_header_t* mf = nullptr;
  if (osip_message_get_max_forwards(m, 0, &mf) >= 0 && mf && mf->hvalue) sum += std::strtol(mf->hvalue, nullptr, 10);
  if (m->req_uri && m->req_uri->host) sum += static_cast<unsigned char>(m->req_uri->host[0]);
  osip_contact_t* contact = nullptr;
  if (osip_message_get_contact(m, 0, &contact) >= 0 && contact && contact->url && contact->url->host)
    sum += static_cast<unsigned char>(contact->url->host[0]);
  return sum;
}

peer_fields osip_fields(void* p) {
  auto* m = static_cast<osip_message_t*>(p);
  peer_fields f;
  f.ok = m != nullptr;
  if (!m) return f;
  osip_touch(m);
  osip_via_t* via = nullptr;
  if (osip_message_get_via(m, 0, &via) >= 0 && via != nullptr) {
    osip_generic_param_t* branch = nullptr;
    if (osip_via_param_get_byname(via, osip_branch_name, &branch) == 0 && branch) f.branch = str(branch->gvalue);
    f.via_host = str(via->host);
  }
  osip_generic_param_t* tag = nullptr;
  if (m->from && osip_from_param_get_byname(m->from, osip_tag_name, &tag) == 0 && tag) f.from_tag = str(tag->gvalue);
  tag = nullptr;
  if (m->to && osip_to_param_get_byname(m->to, osip_tag_name, &tag) == 0 && tag) f.to_tag = str(tag->gvalue);
  if (m->call_id) {
    f.call_id = str(m->call_id->number);
    if (m->call_id->host) f.call_id += "@" + str(m->call_id->host);
  }
  if (m->cseq) {
    f.cseq = static_cast<std::uint32_t>(std::strtoul(m->cseq->number ? m->cseq->number : "0", nullptr, 10));
    f.cseq_method = str(m->cseq->method);
  }
  osip_header_t* mf = nullptr;
  if (osip_message_get_max_forwards(m, 0, &mf) >= 0 && mf && mf->hvalue) f.max_forwards = std::strtol(mf->hvalue, nullptr, 10);
  if (m->req_uri) f.ruri_host = str(m->req_uri->host);
  osip_contact_t* contact = nullptr;
  if (osip_message_get_contact(m, 0, &contact) >= 0 && contact && contact->url) f.contact_host = str(contact->url->host);
  return f;
}

std::size_t osip_parse_touch_free(std::string_view bytes) {
  osip_message_t* m = nullptr;
  osip_message_init(&m);
  std::size_t sum = osip_message_parse(m, bytes.data(), bytes.size()) == 0 ? osip_touch(m) : 0;
  osip_message_free(m);
  return sum;
}

void bm_osip(benchmark::State& state, const input* in) {
  std::size_t sink = 0;
  for (auto _ : state) {
    osip_message_t* m = nullptr;
    osip_message_init(&m);
    if (osip_message_parse(m, in->bytes.data(), in->bytes.size()) != 0) {
      osip_message_free(m);
      state.SkipWithError("osip_message_parse failed");
      break;
    }
    sink += osip_touch(m);
    osip_message_free(m);
  }
  benchmark::DoNotOptimize(sink);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in->bytes.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
#endif

// ------------------------------------------------------------------ sofia-sip
#ifdef SIPACTOR_BENCH_HAVE_SOFIA
// msg_make() = msg_create + copy into the message buffer + msg_extract(), and msg_extract()
// runs every header through its class's parse function (msg_parser.c: extract_header ->
// header_parse -> hc_parse): a full parse, not a lazy one. Flags 0: parse in place in the
// message's own copy of the bytes (no MSG_DO_EXTRACT_COPY, which would copy each header again).
void* sofia_parse(std::string_view bytes) {
  msg_t* msg = msg_make(sip_default_mclass(), 0, bytes.data(), static_cast<ssize_t>(bytes.size()));
  if (msg == nullptr) return nullptr;
  if (msg_has_error(msg) || sip_object(msg) == nullptr) {
    msg_destroy(msg);
    return nullptr;
  }
  return msg;
}

void sofia_destroy(void* p) { msg_destroy(static_cast<msg_t*>(p)); }

inline std::size_t sofia_touch(msg_t* msg) {
  std::size_t sum = 0;
  sip_t const* sip = sip_object(msg);
  if (sip == nullptr) return 0;
  if (sip->sip_via) {
    if (sip->sip_via->v_branch) sum += static_cast<unsigned char>(sip->sip_via->v_branch[0]);
    if (sip->sip_via->v_host) sum += static_cast<unsigned char>(sip->sip_via->v_host[0]);
  }
  if (sip->sip_from && sip->sip_from->a_tag) sum += static_cast<unsigned char>(sip->sip_from->a_tag[0]);
  if (sip->sip_to && sip->sip_to->a_tag) sum += static_cast<unsigned char>(sip->sip_to->a_tag[0]);
  if (sip->sip_call_id && sip->sip_call_id->i_id) sum += static_cast<unsigned char>(sip->sip_call_id->i_id[0]);
  if (sip->sip_cseq) sum += sip->sip_cseq->cs_seq;
  if (sip->sip_max_forwards) sum += sip->sip_max_forwards->mf_count;
  if (sip->sip_request && sip->sip_request->rq_url->url_host)
    sum += static_cast<unsigned char>(sip->sip_request->rq_url->url_host[0]);
  if (sip->sip_contact && sip->sip_contact->m_url->url_host)
    sum += static_cast<unsigned char>(sip->sip_contact->m_url->url_host[0]);
  return sum;
}

peer_fields sofia_fields(void* p) {
  auto* msg = static_cast<msg_t*>(p);
  peer_fields f;
  f.ok = msg != nullptr;
  if (!msg) return f;
  sofia_touch(msg);
  sip_t const* sip = sip_object(msg);
  // Headers sofia could not parse are kept as sip_error entries (the message still counts).
  for (msg_error_t const* e = sip->sip_error; e != nullptr; e = e->er_next) {
    f.note += f.note.empty() ? "unparsed: " : ", ";
    f.note += str(e->er_name);
  }
  if (sip->sip_unknown) f.note += f.note.empty() ? "has unknown headers" : "; has unknown headers";
  if (sip->sip_via) {
    f.branch = str(sip->sip_via->v_branch);
    f.via_host = str(sip->sip_via->v_host);
  }
  if (sip->sip_from) f.from_tag = str(sip->sip_from->a_tag);
  if (sip->sip_to) f.to_tag = str(sip->sip_to->a_tag);
  if (sip->sip_call_id) f.call_id = str(sip->sip_call_id->i_id);
  if (sip->sip_cseq) {
    f.cseq = sip->sip_cseq->cs_seq;
    f.cseq_method = str(sip->sip_cseq->cs_method_name);
  }
  if (sip->sip_max_forwards) f.max_forwards = static_cast<long>(sip->sip_max_forwards->mf_count);
  if (sip->sip_request) f.ruri_host = str(sip->sip_request->rq_url->url_host);
  if (sip->sip_contact) f.contact_host = str(sip->sip_contact->m_url->url_host);
  return f;
}

std::size_t sofia_parse_touch_free(std::string_view bytes) {
  msg_t* msg = msg_make(sip_default_mclass(), 0, bytes.data(), static_cast<ssize_t>(bytes.size()));
  if (msg == nullptr) return 0;
  std::size_t sum = sofia_touch(msg);
  msg_destroy(msg);
  return sum;
}

void bm_sofia(benchmark::State& state, const input* in) {
  msg_mclass_t const* mclass = sip_default_mclass();
  std::size_t sink = 0;
  for (auto _ : state) {
    msg_t* msg = msg_make(mclass, 0, in->bytes.data(), static_cast<ssize_t>(in->bytes.size()));
    if (msg == nullptr || msg_has_error(msg)) {
      if (msg) msg_destroy(msg);
      state.SkipWithError("msg_make failed");
      break;
    }
    sink += sofia_touch(msg);
    msg_destroy(msg);
  }
  benchmark::DoNotOptimize(sink);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in->bytes.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
#endif

std::vector<peer> make_peers() {
  std::vector<peer> out;
#ifdef SIPACTOR_BENCH_HAVE_OSIP2
  parser_init();
  out.push_back(peer{"osip2", osip_parse, osip_fields, osip_destroy, SIPACTOR_BENCH_OSIP2_VERSION, osip_parse_touch_free});
#endif
#ifdef SIPACTOR_BENCH_HAVE_SOFIA
  out.push_back(peer{"sofia", sofia_parse, sofia_fields, sofia_destroy, SIPACTOR_BENCH_SOFIA_VERSION, sofia_parse_touch_free});
#endif
  return out;
}

}  // namespace

const std::vector<peer>& peers() {
  static const std::vector<peer> all = make_peers();
  return all;
}

void register_peer_benchmarks(const std::vector<input>& inputs) {
  peers();  // one-time initialization (parser_init) before any timed loop
  for (const input& in : inputs) {
    (void)in;
#ifdef SIPACTOR_BENCH_HAVE_OSIP2
    benchmark::RegisterBenchmark(("osip2/parse_fields/" + in.name).c_str(), bm_osip, &in)
        ->Unit(benchmark::kNanosecond);
#endif
#ifdef SIPACTOR_BENCH_HAVE_SOFIA
    benchmark::RegisterBenchmark(("sofia/parse_fields/" + in.name).c_str(), bm_sofia, &in)
        ->Unit(benchmark::kNanosecond);
#endif
  }
}

}  // namespace sipactor::bench

#include "apps/parse_command.hpp"

#include <fstream>
#include <iterator>
#include <ostream>
#include <sstream>

#include "messages/parser.hpp"

namespace sipactor::apps {

namespace {

void describe(const message& m, std::ostream& out) {
  if (m.is_request()) {
    out << "  request  " << m.method_name() << ' ' << m.request_uri().text << '\n';
  } else {
    out << "  response " << m.status() << ' ' << m.reason_phrase() << '\n';
  }
  if (m.via_count() > 0) {
    const via& v = m.top_via();
    out << "  Via      " << v.transport << ' ' << v.host;
    if (v.port != 0) out << ':' << v.port;
    out << " branch=" << (v.branch.empty() ? "(none)" : v.branch) << " (" << m.via_count() << " Via)\n";
  }
  out << "  From     " << m.from().address.text << " tag=" << m.from_tag() << '\n';
  out << "  To       " << m.to().address.text << " tag=" << m.to_tag() << '\n';
  out << "  Call-ID  " << m.call_id() << '\n';
  out << "  CSeq     " << m.cseq().number << ' ' << m.cseq().method << '\n';
  if (m.max_forwards() >= 0) out << "  Max-Fwd  " << m.max_forwards() << '\n';
  const contact_list& contacts = m.contacts();
  if (contacts.star) out << "  Contact  *\n";
  for (const contact& c : contacts.contacts) out << "  Contact  " << c.address.address.text << '\n';
  out << "  headers  " << m.header_count() << ", body " << m.body().size() << " bytes";
  if (!m.content_type().empty()) out << " (" << m.content_type() << ')';
  out << '\n';
}

}  // namespace

int run_parse_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  framing mode = framing::datagram;
  bool quiet = false;
  std::vector<std::string> files;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--stream") {
      mode = framing::stream;
    } else if (args[i] == "--quiet" || args[i] == "-q") {
      quiet = true;
    } else if (args[i] == "--help" || args[i] == "-h") {
      out << "usage: sipactor parse [--stream] [--quiet] FILE...\n"
             "Parses each file as one SIP message (as a UDP datagram, or with --stream as a\n"
             "message cut from a TCP stream) and prints the verdict and the key headers.\n"
             "Exit status 1 when any file is rejected.\n";
      return 0;
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) {
    err << "sipactor parse: no files given (see --help)\n";
    return 2;
  }
  int accepted = 0, rejected = 0;
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      err << path << ": cannot open\n";
      ++rejected;
      continue;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    parse_result r = parse_message(bytes, mode);
    if (r.ok()) {
      ++accepted;
      out << path << ": ok\n";
      if (!quiet) describe(*r.message, out);
    } else {
      ++rejected;
      out << path << ": rejected " << r.error->status << ' ' << r.error->reason;
      out << (r.answerable() ? " (answerable)" : " (dropped)") << '\n';
    }
  }
  out << accepted << " accepted, " << rejected << " rejected\n";
  return rejected == 0 ? 0 : 1;
}

}  // namespace sipactor::apps

#include "apps/stress_plot.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace sipactor::apps {

namespace {

constexpr double width = 900, panel_height = 200, left = 70, right = 20, top = 40, gap = 40;

struct series {
  const char* name;
  const char* color;
  std::function<double(const second_sample&)> value;
};

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 || v == 0 ? "%.0f" : "%.2g", v);
  return buf;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// One panel: a frame, the y range 0..max, the x range 0..last t, a polyline per series.
std::string panel(const std::vector<second_sample>& samples, double y0, const std::string& label,
                  const std::vector<series>& lines) {
  double t_max = samples.empty() ? 1 : std::max(1.0, samples.back().t);
  double v_max = 0;
  for (const auto& s : samples)
    for (const auto& l : lines) v_max = std::max(v_max, l.value(s));
  if (v_max <= 0) v_max = 1;
  double plot_w = width - left - right;
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "<rect x='%.0f' y='%.0f' width='%.0f' height='%.0f' fill='none' stroke='#999'/>\n", left,
                y0, plot_w, panel_height);
  out += buf;
  std::snprintf(buf, sizeof buf, "<text x='%.0f' y='%.0f' font-size='12'>%s</text>\n", left, y0 - 6, escape(label).c_str());
  out += buf;
  std::snprintf(buf, sizeof buf, "<text x='%.0f' y='%.0f' font-size='11' text-anchor='end'>%s</text>\n", left - 6, y0 + 10,
                number(v_max).c_str());
  out += buf;
  std::snprintf(buf, sizeof buf, "<text x='%.0f' y='%.0f' font-size='11' text-anchor='end'>0</text>\n", left - 6,
                y0 + panel_height);
  out += buf;
  std::snprintf(buf, sizeof buf, "<text x='%.0f' y='%.0f' font-size='11' text-anchor='end'>%s s</text>\n", left + plot_w,
                y0 + panel_height + 14, number(t_max).c_str());
  out += buf;
  double legend_x = left + 10;
  for (const auto& l : lines) {
    out += std::string("<polyline fill='none' stroke-width='1.5' stroke='") + l.color + "' points='";
    for (const auto& s : samples) {
      std::snprintf(buf, sizeof buf, "%.1f,%.1f ", left + s.t / t_max * plot_w,
                    y0 + panel_height - l.value(s) / v_max * panel_height);
      out += buf;
    }
    out += "'/>\n";
    std::snprintf(buf, sizeof buf, "<text x='%.0f' y='%.0f' font-size='11' fill='%s'>%s</text>\n", legend_x, y0 + 14, l.color,
                  l.name);
    out += buf;
    legend_x += 110;
  }
  return out;
}

}  // namespace

std::string render_stress_svg(const std::vector<second_sample>& samples, const std::string& title) {
  double height = top + 3 * (panel_height + gap) + 10;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' font-family='sans-serif'>\n"
                "<rect width='100%%' height='100%%' fill='white'/>\n",
                width, height);
  std::string out = buf;
  out += "<text x='" + number(left) + "' y='20' font-size='14'>" + escape(title) + "</text>\n";
  out += panel(samples, top, "attempts per second",
               {{"started", "#1f77b4", [](const second_sample& s) { return static_cast<double>(s.started); }},
                {"succeeded", "#2ca02c", [](const second_sample& s) { return static_cast<double>(s.succeeded); }}});
  out += panel(samples, top + panel_height + gap, "failures and retransmissions per second",
               {{"failed", "#d62728", [](const second_sample& s) { return static_cast<double>(s.failed); }},
                {"retransmitted", "#ff7f0e", [](const second_sample& s) { return static_cast<double>(s.retransmitted); }}});
  out += panel(samples, top + 2 * (panel_height + gap), "latency (ms)",
               {{"p50", "#2ca02c", [](const second_sample& s) { return s.p50_ms; }},
                {"p95", "#ff7f0e", [](const second_sample& s) { return s.p95_ms; }},
                {"p99", "#d62728", [](const second_sample& s) { return s.p99_ms; }}});
  out += "</svg>\n";
  return out;
}

}  // namespace sipactor::apps

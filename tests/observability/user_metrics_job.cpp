// The job of user_metrics_rest_test.py: lines from --socket HOST:PORT through "measure" (a rich
// map function with a counter, a meter, a histogram of line lengths and a gauge, all user
// metrics), "split" (words), "long only" (words of more than 4 letters) and a printing sink,
// all chained at --parallelism 1 unless the flags say otherwise.

#include <sluice/sluice.hpp>
#include "letter_words.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

struct measured_lines {
  sluice::metric_counter* lines = nullptr;
  sluice::metric_meter* meter = nullptr;
  sluice::metric_histogram* lengths = nullptr;
  std::shared_ptr<std::int64_t> longest = std::make_shared<std::int64_t>(0);

  void open(sluice::runtime_context& ctx) {
    lines = &ctx.metric_group().counter("lines");
    meter = &ctx.metric_group().meter("linesMeter");
    lengths = &ctx.metric_group().add_group("text").histogram("lineLength");
    auto seen = longest;
    ctx.metric_group().gauge("longestLine", [seen] { return static_cast<double>(*seen); });
  }
  std::string operator()(std::string line) const {
    lines->inc();
    meter->mark_event();
    lengths->update(static_cast<std::int64_t>(line.size()));
    *longest = std::max<std::int64_t>(*longest, static_cast<std::int64_t>(line.size()));
    return line;
  }
};

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc, argv, {{"socket", "read lines from HOST:PORT", {}, false}}};
  try {
    const auto socket = env.flag("socket").value_or("");
    if (socket.find(':') == std::string::npos)
      throw std::invalid_argument("flag --socket HOST:PORT is required");
    const auto colon = socket.rfind(':');
    const auto port = static_cast<std::uint16_t>(std::atoi(socket.c_str() + colon + 1));
    env.from_source(sluice::socket_text_source{socket.substr(0, colon), port}, "socket")
        .map(measured_lines{}, "measure")
        .flat_map(sluice::test::letter_words, "split")
        .filter([](const std::string& w) { return w.size() > 4; }, "long only")
        .sink_to(sluice::print_sink<std::string>{}, "stdout");
    return env.execute("user metrics").exit_code();
  } catch (const std::exception& e) {
    std::cerr << "user_metrics_job: error: " << e.what() << '\n';
    return 1;
  }
}

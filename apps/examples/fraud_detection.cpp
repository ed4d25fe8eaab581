// fraud_detection: Flink's fraud detection tutorial. A small transaction (< 1.00) followed by a
// large one (> 500.00) on the same account within one minute raises an alert, printed as
// `alert,account,timestamp_ms,amount` (of the large transaction).
//
//   fraud_detection [--input PATH] [common flags]
//
// Transactions are `account,amount,timestamp_ms` lines in time order, from --input or a built-in
// list. A keyed process function keeps, per account, the time of its last small transaction and
// clears it with an event-time timer one minute later.

#include "transaction.hpp"

#include <sluice/sluice.hpp>

#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <tuple>

namespace {

using fraud_detection::transaction;
using alert = std::tuple<std::string, std::string, std::int64_t, double>;

constexpr double small_amount = 1.00;
constexpr double large_amount = 500.00;
constexpr std::int64_t one_minute_ms = 60 * 1000;

class fraud_detector final : public sluice::keyed_process_function<std::string, transaction, alert> {
public:
  void process_element(transaction&& t, context& ctx, sluice::collector<alert>& out) override {
    auto small = small_since_.find(ctx.current_key());
    if (small != small_since_.end()) {
      if (t.amount > large_amount && t.timestamp < small->second + one_minute_ms)
        out.collect(alert{"alert", t.account, t.timestamp, t.amount});
      // Any transaction after the small one ends the pattern (as in Flink's tutorial).
      ctx.timer_service().delete_event_time_timer(small->second + one_minute_ms);
      small_since_.erase(small);
    }
    if (t.amount < small_amount) {
      small_since_[ctx.current_key()] = t.timestamp;
      ctx.timer_service().register_event_time_timer(t.timestamp + one_minute_ms);
    }
  }

  void on_timer(std::int64_t, on_timer_context& ctx, sluice::collector<alert>&) override {
    small_since_.erase(ctx.current_key());
  }

private:
  /// Per account: the timestamp of its last small transaction, while the pattern is open.
  std::map<std::string, std::int64_t> small_since_;
};

sluice::data_stream<std::string> read_lines(sluice::environment& env) {
  if (auto input = env.flag("input"))
    return env.from_source(sluice::text_file_source{*input}, "transactions of " + *input);
  return env.from_source(
      sluice::collection_source<std::string>{fraud_detection::builtin_transactions()},
      "built-in transactions");
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{
      argc, argv, {{"input", "file of account,amount,timestamp_ms lines", {}, false}}};
  try {
    auto strategy = sluice::watermark_strategy<transaction>::for_monotonous_timestamps()
                        .with_timestamp_assigner(
                            [](const transaction& t, std::int64_t) { return t.timestamp; });
    read_lines(env)
        .set_parallelism(1)
        .map([](std::string line) { return fraud_detection::parse_transaction(line); }, "parse")
        .set_parallelism(1)
        .assign_timestamps_and_watermarks(strategy)
        .set_parallelism(1)
        .key_by([](const transaction& t) { return t.account; })
        .process(fraud_detector{}, "fraud detector")
        .sink_to(sluice::print_sink<alert>{}, "stdout")
        .set_parallelism(1);
    return env.execute("fraud detection").exit_code();
  } catch (const std::exception& e) {
    std::cerr << "fraud_detection: error: " << e.what() << '\n';
    return 1;
  }
}

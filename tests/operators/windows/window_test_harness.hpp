#pragma once
// Drives a window operator directly: a keyed state backend, a timestamp slot, a fake
// processing-time clock, and collectors that log records (with the slot's timestamp) and
// watermarks in order.

#include "../test_keyed_state_backend.hpp"

#include "sluice/operators/windows/continuous_triggers.hpp"
#include "sluice/operators/windows/window_operator.hpp"
#include "sluice/state/serialization.hpp"

#include <cstdint>
#include <memory>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace sluice::window_test {

/// A keyed test record.
struct ev {
  std::string key;
  std::int64_t value = 0;
  SLUICE_FIELDS(key, value)
};
inline std::ostream& operator<<(std::ostream& os, const ev& e) {
  return os << e.key << ':' << e.value;
}

/// A step of a test's input: an element, or a watermark when `watermark` is set.
struct step {
  bool watermark = false;
  ev element;
  std::int64_t time = 0;
};

struct key_of {
  std::string operator()(const ev& e) const { return e.key; }
};
struct sum_of {
  ev operator()(ev acc, const ev& next) const {
    acc.value += next.value;
    return acc;
  }
};

/// `elements` elements ev{"k<n>" of `keys` keys, i} (i from 1), their time advancing 0-3 ms
/// per element from 0 and elements lagging it by up to 4 ms, and a watermark trailing it by
/// 5 ms every ten elements, then one 1000 ms ahead: no element is late.
inline std::vector<step> steps_never_late(std::uint64_t seed, int elements, int keys) {
  std::mt19937_64 rng(seed);
  std::int64_t now = 0;
  std::vector<step> steps;
  for (int i = 1; i <= elements; ++i) {
    now += static_cast<std::int64_t>(rng() % 4);
    const std::int64_t ts = now - static_cast<std::int64_t>(rng() % 5);
    steps.push_back(
        {false, {"k" + std::to_string(rng() % static_cast<std::uint64_t>(keys)), i}, ts});
    if (i % 10 == 0)
      steps.push_back({true, {}, now - 5});
  }
  steps.push_back({true, {}, now + 1000});
  return steps;
}

/// A clock the test moves; remembers the wake-ups asked for.
class fake_clock final : public processing_time_service {
public:
  std::int64_t now_ms() const override { return now; }
  void wake_at(std::int64_t time_ms) override { wakes.push_back(time_ms); }
  std::int64_t now = 0;
  std::vector<std::int64_t> wakes;
};

/// Logs "value@timestamp" per record and "wm@time" per watermark.
template <class T> class recorder final : public collector<T> {
public:
  explicit recorder(const timestamp_slot& slot) : slot_(slot) {}
  void collect(T&& value) override {
    std::ostringstream os;
    os << value << '@' << slot_.value;
    log.push_back(os.str());
  }
  void emit_watermark(std::int64_t wm) override { log.push_back("wm@" + std::to_string(wm)); }
  void emit_watermark_status(bool) override {}
  using collector<T>::collect;
  std::vector<std::string> log;

private:
  const timestamp_slot& slot_;
};

/// An operator under test with its slot, clock and outputs ("late" is the late-data tag).
template <class Op, class T, class Out = typename Op::output_type> struct harness {
  explicit harness(std::unique_ptr<Op> op_, std::unique_ptr<keyed_state_backend> backend_ =
                                                test::make_test_keyed_state_backend())
      : backend(std::move(backend_)), op(std::move(op_)) {
    runtime_context ctx;
    ctx.operator_name = "window";
    ctx.element_time = &slot;
    ctx.processing_time = &clock;
    ctx.keyed_state = backend.get();
    op->open(ctx);
    op->set_output(out);
    op->set_side_output("late", late);
  }
  void element(T value, std::int64_t ts) {
    slot.value = ts;
    op->collect(std::move(value));
  }
  void watermark(std::int64_t wm) { op->process_watermark(wm); }
  void advance_clock(std::int64_t now) {
    clock.now = now;
    op->on_processing_time(now);
  }
  /// Returns and clears what the main output received.
  std::vector<std::string> take() { return std::exchange(out.log, {}); }

  std::unique_ptr<keyed_state_backend> backend;
  timestamp_slot slot;
  fake_clock clock;
  std::unique_ptr<Op> op;
  recorder<Out> out{slot};
  recorder<T> late{slot};
};

/// A harness over window_operator keyed by ev::key, on `backend`.
template <class A, class C>
auto make_harness(
    A assigner, C contents, window_settings<window_type_t<A, ev>> settings = {},
    std::unique_ptr<keyed_state_backend> backend = test::make_test_keyed_state_backend()) {
  using op_type = window_operator<std::string, ev, key_of, A, C>;
  return harness<op_type, ev>(std::make_unique<op_type>(key_of{}, std::move(assigner),
                                                        std::move(contents), std::move(settings)),
                              std::move(backend));
}

/// Incremental sum per window, emitted unchanged.
inline auto sum_contents() {
  return reduce_contents<ev, sum_of, windows_detail::pass_through<ev>>(sum_of{}, {});
}

/// count and sum of ev values, as an aggregate function.
struct count_sum {
  struct acc {
    std::int64_t count = 0;
    std::int64_t sum = 0;
    SLUICE_FIELDS(count, sum)
  };
  acc create_accumulator() const { return {}; }
  acc add(const ev& e, acc a) const {
    ++a.count;
    a.sum += e.value;
    return a;
  }
  acc merge(acc a, const acc& b) const {
    a.count += b.count;
    a.sum += b.sum;
    return a;
  }
  std::string get_result(const acc& a) const {
    return std::to_string(a.count) + "/" + std::to_string(a.sum);
  }
};

/// Count and sum per window, emitted as "count/sum".
inline auto count_sum_contents() {
  return aggregate_contents<ev, count_sum, windows_detail::pass_through<std::string>>({}, {});
}

/// Describes the window: "key [start, end) wm=W: v1,v2,...".
template <class W>
struct describe_in final : process_window_function<std::string, ev, std::string, W> {
  void process(const window_context<std::string, W>& ctx, const std::vector<ev>& elements,
               collector<std::string>& out) override {
    std::ostringstream os;
    os << ctx.key() << ' ' << ctx.window() << " wm=" << ctx.current_watermark() << ':';
    const char* sep = " ";
    for (const ev& e : elements) {
      os << sep << e.value;
      sep = ",";
    }
    out.collect(os.str());
  }
};
using describe = describe_in<time_window>;

} // namespace sluice::window_test

// Proves: the element side of a broadcast process function cannot write the broadcast state
// (every subtask's copy must stay the same): in process_element the context hands out a
// read_only_broadcast_state, which has no put(). The broadcast side (process_broadcast_element)
// writes it, as valid_program.cpp shows.

#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>

namespace {
const sluice::map_state_descriptor<std::string, std::int64_t> limits{"limits"};

class writes_on_element_side final
    : public sluice::keyed_broadcast_process_function<std::int64_t, std::int64_t, std::string,
                                                      std::int64_t> {
public:
  void process_element(std::int64_t&& v, read_only_context& ctx,
                       sluice::collector<std::int64_t>&) override {
    ctx.get_broadcast_state(limits).put("last", v);
  }
  void process_broadcast_element(std::string&&, context&,
                                 sluice::collector<std::int64_t>&) override {}
};
} // namespace

int main() {
  sluice::environment env;
  auto names = env.from_source(sluice::collection_source<std::string>{{"a"}}).broadcast(limits);
  env.from_source(sluice::sequence_source{0, 9})
      .key_by([](std::int64_t v) { return v % 3; })
      .connect(names)
      .process(writes_on_element_side{})
      .sink_to(sluice::discarding_sink<std::int64_t>{});
  return env.execute().exit_code();
}

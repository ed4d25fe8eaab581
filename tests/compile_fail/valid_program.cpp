// Positive control: compiles with exactly the command the compile_fail.* cases use. It does
// what the negative cases get wrong (a SLUICE_FIELDS record, a sink and process functions of
// the right types, a union of equal types, broadcast state written on the broadcast side and
// read on the element side), so if the include paths or flags were broken this
// case fails instead of the negative ones passing for the wrong reason.

#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>

namespace {

struct with_fields {
  std::int64_t id = 0;
  std::string name;
  SLUICE_FIELDS(id, name)
};

class to_length final : public sluice::process_function<std::string, std::int64_t> {
public:
  void process_element(std::string&& s, context&, sluice::collector<std::int64_t>& out) override {
    out.collect(static_cast<std::int64_t>(s.size()));
  }
};

class keyed_to_length final
    : public sluice::keyed_process_function<std::int64_t, with_fields, std::int64_t> {
public:
  void process_element(with_fields&& r, context& ctx,
                       sluice::collector<std::int64_t>& out) override {
    out.collect(ctx.current_key() + static_cast<std::int64_t>(r.name.size()));
  }
};

const sluice::map_state_descriptor<std::string, std::int64_t> limits{"limits"};

class reads_on_element_side final
    : public sluice::keyed_broadcast_process_function<std::int64_t, std::int64_t, std::string,
                                                      std::int64_t> {
public:
  void process_element(std::int64_t&& v, read_only_context& ctx,
                       sluice::collector<std::int64_t>& out) override {
    out.collect(v + ctx.get_broadcast_state(limits).get("last").value_or(0));
  }
  void process_broadcast_element(std::string&& s, context& ctx,
                                 sluice::collector<std::int64_t>&) override {
    ctx.get_broadcast_state(limits).put("last", static_cast<std::int64_t>(s.size()));
  }
};

} // namespace

int main() {
  sluice::environment env;
  auto records = env.from_source(sluice::collection_source<with_fields>{{{1, "a"}, {2, "bb"}}});
  auto lengths = records.map([](with_fields r) { return r.name; }).process(to_length{});
  auto keyed = records.key_by([](const with_fields& r) { return r.id; }).process(keyed_to_length{});
  auto names = env.from_source(sluice::collection_source<std::string>{{"a"}}).broadcast(limits);
  auto limited = env.from_source(sluice::sequence_source{0, 9})
                     .key_by([](std::int64_t v) { return v % 3; })
                     .connect(names)
                     .process(reads_on_element_side{});
  lengths.union_with(keyed, limited).sink_to(sluice::collecting_sink<std::int64_t>{});
  return env.execute("valid").exit_code();
}

#pragma once
// data_stream<T>: the typed handle of a stream while a job is being built. Each transformation
// adds a node (and edges from this stream's heads) to the job graph.

#include "sluice/operators/api/output_tag.hpp"
#include "sluice/operators/core/basic_operators.hpp"
#include "sluice/operators/core/function_traits.hpp"
#include "sluice/operators/fwd.hpp"
#include "sluice/operators/plan/job_graph.hpp"
#include "sluice/operators/sinks/sink.hpp"
#include "sluice/operators/time/timestamps_and_watermarks_operator.hpp"

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace sluice {

template <class A, class B, bool Join>
struct two_streams;

/// Settings of the operator that produced a stream (or of a sink).
template <class Self>
class operator_settings {
public:
  /// Parallelism of this operator.
  Self& set_parallelism(int p) {
    if (p < 1)
      throw std::invalid_argument("set_parallelism(" + std::to_string(p) + ") on '" +
                                  node().name + "': parallelism must be at least 1");
    node().parallelism = p;
    return self();
  }
  Self& name(std::string n) {
    node().name = std::move(n);
    return self();
  }
  /// A stable id used to match state in savepoints.
  Self& uid(std::string u) {
    node().uid = std::move(u);
    return self();
  }
  /// Neither chain this operator to its input nor its outputs to it.
  Self& disable_chaining() {
    node().chaining = chaining_strategy::never;
    return self();
  }
  /// Start a new chain here (later operators may chain to this one).
  Self& start_new_chain() {
    node().chaining = chaining_strategy::head;
    return self();
  }

protected:
  operator_settings(std::shared_ptr<job_graph> graph, std::vector<stream_head> heads)
      : graph_(std::move(graph)), heads_(std::move(heads)) {}

  stream_node& node() {
    if (heads_.size() != 1)
      throw std::logic_error("operator settings apply to one operator, not to a union of " +
                             std::to_string(heads_.size()) + " streams");
    return graph_->node(heads_.front().node);
  }
  Self& self() { return static_cast<Self&>(*this); }

  std::shared_ptr<job_graph> graph_;
  std::vector<stream_head> heads_;
};

/// The end of a stream: a sink, whose settings can still be changed.
class data_stream_sink : public operator_settings<data_stream_sink> {
public:
  data_stream_sink(std::shared_ptr<job_graph> graph, int node)
      : operator_settings(std::move(graph), {stream_head{node, ""}}) {}
};

template <class T>
class data_stream : public operator_settings<data_stream<T>> {
  using base = operator_settings<data_stream<T>>;

public:
  using value_type = T;

  data_stream(std::shared_ptr<job_graph> graph, std::vector<stream_head> heads)
      : base(std::move(graph), std::move(heads)), writer_(keyless_writer_factory<T>()) {
    (void)stream_type_of<T>(); // requires a serializer for T
  }

  // -- transformations ----------------------------------------------------------------------

  template <class F>
  auto map(F fn, std::string name = "map") {
    using Out = map_result_t<T, F>;
    return add_operator<Out>(std::move(name),
                             [fn] { return std::make_unique<map_operator<T, Out, F>>(fn); });
  }

  template <class F>
  data_stream<T> filter(F fn, std::string name = "filter") {
    return add_operator<T>(std::move(name),
                           [fn] { return std::make_unique<filter_operator<T, F>>(fn); });
  }

  /// fn(T&&, collector<Out>&); Out is deduced from a non-generic fn, or given explicitly.
  template <class Out = void, class F>
  auto flat_map(F fn, std::string name = "flat_map") {
    using R = flat_map_result_t<Out, F>;
    return add_operator<R>(std::move(name),
                           [fn] { return std::make_unique<flat_map_operator<T, R, F>>(fn); });
  }

  /// P derives from process_function<T, Out>.
  template <class P>
  data_stream<typename P::output_type> process(P fn, std::string name = "process") {
    static_assert(std::is_same_v<typename P::input_type, T>, "process function input type");
    using Out = typename P::output_type;
    return add_operator<Out>(std::move(name),
                             [fn] { return std::make_unique<process_operator<P>>(fn); });
  }

  /// Gives every record its event timestamp and generates watermarks from them.
  data_stream<T> assign_timestamps_and_watermarks(watermark_strategy<T> strategy,
                                                  std::string name = "timestamps/watermarks") {
    auto out = add_operator<T>(std::move(name), [strategy] {
      return std::make_unique<timestamps_and_watermarks_operator<T>>(strategy);
    });
    this->graph_->node(out.node().id).assigns_timestamps = true;
    return out;
  }

  /// Partitions by key: records with equal keys go to the same subtask.
  template <class KeySelector>
  auto key_by(KeySelector key) const {
    using K = std::decay_t<std::invoke_result_t<KeySelector&, const T&>>;
    return keyed_stream<K, T, KeySelector>(*this, std::move(key));
  }

  /// Groups all records into the windows of `assigner`, evaluated by one window operator
  /// instance at parallelism 1 (Flink's windowAll; windows/all_windowed_stream.hpp).
  template <class Assigner>
  all_windowed_stream<T, Assigner, no_evictor> window_all(Assigner assigner) const {
    return all_windowed_stream<T, Assigner, no_evictor>(*this, std::move(assigner));
  }

  /// Merges streams of the same type.
  template <class... Streams>
  data_stream<T> union_with(const Streams&... others) const {
    data_stream<T> out = *this;
    (out.append_heads(others), ...);
    return out;
  }

  /// The records an operator sent to side output `tag` (its single producer must be one operator).
  template <class U>
  data_stream<U> get_side_output(const output_tag<U>& tag) {
    return data_stream<U>(this->graph_, {stream_head{this->node().id, tag.id}});
  }

  /// Connects a stream of any type U: operators on the result have a function per input.
  template <class U>
  connected_streams<T, U> connect(const data_stream<U>& other) const {
    return connected_streams<T, U>(*this, other);
  }

  /// Connects a broadcast stream: process(broadcast_process_function) on the result.
  template <class U>
  broadcast_connected_stream<T, U> connect(const broadcast_stream<U>& other) const {
    return broadcast_connected_stream<T, U>(*this, other);
  }

  /// Window join: join(other).where(key).equal_to(other_key).window(assigner).apply(fn).
  template <class U>
  two_streams<T, U, true> join(const data_stream<U>& other) const { return {*this, other}; }

  /// Window co-group: co_group(other).where(key).equal_to(other_key).window(assigner).apply(fn).
  template <class U>
  two_streams<T, U, false> co_group(const data_stream<U>& other) const { return {*this, other}; }

  // -- partitioning -------------------------------------------------------------------------

  data_stream<T> forward() const { return with_kind(partition_kind::forward); }
  data_stream<T> rebalance() const { return with_kind(partition_kind::rebalance); }
  data_stream<T> rescale() const { return with_kind(partition_kind::rescale); }
  data_stream<T> broadcast() const { return with_kind(partition_kind::broadcast); }
  /// This stream broadcast to every subtask of the operator it is connected to, feeding the
  /// broadcast states `states` describe (Flink's broadcast state pattern, broadcast_stream.hpp).
  template <class K, class V, class... More>
  broadcast_stream<T> broadcast(const map_state_descriptor<K, V>& state,
                                const More&... more) const {
    return broadcast_stream<T>(broadcast(), {broadcast_registration(state),
                                             broadcast_registration(more)...});
  }
  /// partitioner(key, channels) -> channel in [0, channels).
  template <class Partitioner, class KeySelector>
  data_stream<T> partition_custom(Partitioner partitioner, KeySelector key) const {
    auto out = with_kind(partition_kind::custom);
    out.writer_ = custom_writer_factory<T>(std::move(partitioner), std::move(key));
    return out;
  }

  // -- sinks --------------------------------------------------------------------------------

  /// S derives from sink<T>.
  template <class S>
  data_stream_sink sink_to(S s, std::string name = "") {
    static_assert(std::is_same_v<typename S::input_type, T>, "sink input type");
    auto proto = std::make_shared<S>(std::move(s));
    stream_node n;
    n.name = "Sink: " + (name.empty() ? std::string("sink") : name);
    n.parallelism_limit = proto->max_sink_parallelism();
    n.input_type = &stream_type_of<T>();
    n.factory = [proto] { return std::make_unique<sink_operator<T>>(proto->clone()); };
    return data_stream_sink(this->graph_, connect(std::move(n)));
  }

  // -- for extensions -----------------------------------------------------------------------

  /// Adds an operator node consuming this stream; factory makes one instance per subtask.
  template <class Out, class Factory>
  data_stream<Out> add_operator(std::string name, Factory factory) {
    stream_node n;
    n.name = std::move(name);
    n.input_type = &stream_type_of<T>();
    n.output_type = &stream_type_of<Out>();
    n.factory = [factory] { return std::unique_ptr<stream_operator>(factory()); };
    return data_stream<Out>(this->graph_, {stream_head{connect(std::move(n)), ""}});
  }

  /// Adds a two-input operator: this stream is its first input, `second` its second.
  template <class Out, class U, class Factory>
  data_stream<Out> add_two_input_operator(const data_stream<U>& second, std::string name,
                                          Factory factory) {
    if (second.graph_ != this->graph_)
      throw std::logic_error("connect: streams of different environments");
    stream_node n;
    n.name = std::move(name);
    n.input_type = &stream_type_of<T>();
    n.second_input_type = &stream_type_of<U>();
    n.output_type = &stream_type_of<Out>();
    n.factory = [factory] { return std::unique_ptr<stream_operator>(factory()); };
    int id = connect(std::move(n));
    for (const auto& h : second.heads_)
      this->graph_->add_edge({h.node, h.output, id, 1, &stream_type_of<U>(), second.kind_,
                              second.explicit_kind_, second.writer_});
    return data_stream<Out>(this->graph_, {stream_head{id, ""}});
  }

  /// The same stream, whose next edge uses the given partitioning.
  data_stream<T> with_partitioning(partition_kind kind, writer_factory writer) const {
    auto out = with_kind(kind);
    out.writer_ = std::move(writer);
    return out;
  }

  const std::shared_ptr<job_graph>& graph() const { return this->graph_; }

private:
  template <class K, class V>
  static std::function<void(operator_state_backend&)> broadcast_registration(
      const map_state_descriptor<K, V>& d) {
    return [d](operator_state_backend& states) { states.get_broadcast_state(d); };
  }

  template <class U>
  void append_heads(const data_stream<U>& other) {
    static_assert(std::is_same_v<U, T>, "union_with needs streams of the same type");
    if (other.graph_ != this->graph_)
      throw std::logic_error("union_with: streams of different environments");
    this->heads_.insert(this->heads_.end(), other.heads_.begin(), other.heads_.end());
  }

  data_stream<T> with_kind(partition_kind kind) const {
    data_stream<T> out = *this;
    out.kind_ = kind;
    out.explicit_kind_ = true;
    out.writer_ = keyless_writer_factory<T>();
    return out;
  }

  int connect(stream_node n) {
    int id = this->graph_->add_node(std::move(n)).id;
    for (const auto& h : this->heads_)
      this->graph_->add_edge(
          {h.node, h.output, id, 0, &stream_type_of<T>(), kind_, explicit_kind_, writer_});
    return id;
  }

  template <class>
  friend class data_stream;

  partition_kind kind_ = partition_kind::forward;
  bool explicit_kind_ = false;
  writer_factory writer_;
};

} // namespace sluice

#include "sluice/operators/api/broadcast_stream.hpp"
#include "sluice/operators/api/connected_streams.hpp"
#include "sluice/operators/api/keyed_stream.hpp"
#include "sluice/operators/joins/window_join.hpp"
#include "sluice/operators/windows/all_windowed_stream.hpp"

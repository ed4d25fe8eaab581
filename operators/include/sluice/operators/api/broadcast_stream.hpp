#pragma once
// Flink's broadcast state pattern, the API: stream.broadcast(descriptors...) is a
// broadcast_stream whose elements reach every subtask of the operator it is connected to;
// keyed.connect(broadcast).process(keyed_broadcast_process_function) and
// stream.connect(broadcast).process(broadcast_process_function) run the function with the
// broadcast states the descriptors name.

#include "sluice/operators/api/data_stream.hpp"
#include "sluice/operators/core/broadcast_operators.hpp"

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

/// A stream broadcast to every subtask, with the broadcast states it feeds.
template <class T>
class broadcast_stream {
public:
  broadcast_stream(data_stream<T> input, std::vector<broadcast_state_registration> states)
      : input_(std::move(input)), states_(std::move(states)) {}

  /// The stream, broadcast-partitioned.
  const data_stream<T>& input() const { return input_; }
  const std::vector<broadcast_state_registration>& states() const { return states_; }

private:
  data_stream<T> input_;
  std::vector<broadcast_state_registration> states_;
};

/// A non-keyed stream of In connected to a broadcast stream of B.
template <class In, class B>
class broadcast_connected_stream {
public:
  broadcast_connected_stream(data_stream<In> elements, broadcast_stream<B> broadcast)
      : elements_(std::move(elements)), broadcast_(std::move(broadcast)) {}

  /// P derives from broadcast_process_function<In, B, Out>.
  template <class P>
  data_stream<typename P::output_type> process(P fn, std::string name = "broadcast process") {
    static_assert(std::is_base_of_v<broadcast_process_function<In, B, typename P::output_type>, P>,
                  "process needs a broadcast_process_function of the connected types");
    return elements_.template add_two_input_operator<typename P::output_type>(
        broadcast_.input(), std::move(name), [fn, states = broadcast_.states()] {
          return std::make_unique<broadcast_process_operator<P>>(fn, states);
        });
  }

private:
  data_stream<In> elements_;
  broadcast_stream<B> broadcast_;
};

/// A keyed stream of In connected to a broadcast stream of B.
template <class K, class In, class B, class KeySelector>
class keyed_broadcast_connected_stream {
public:
  keyed_broadcast_connected_stream(data_stream<In> elements, KeySelector key,
                                   broadcast_stream<B> broadcast)
      : elements_(std::move(elements)), key_(std::move(key)), broadcast_(std::move(broadcast)) {}

  /// P derives from keyed_broadcast_process_function<K, In, B, Out>.
  template <class P>
  data_stream<typename P::output_type> process(P fn, std::string name = "broadcast process") {
    static_assert(
        std::is_base_of_v<keyed_broadcast_process_function<K, In, B, typename P::output_type>, P>,
        "process needs a keyed_broadcast_process_function of the connected types");
    return elements_.template add_two_input_operator<typename P::output_type>(
        broadcast_.input(), std::move(name), [fn, key = key_, states = broadcast_.states()] {
          return std::make_unique<keyed_broadcast_process_operator<P, KeySelector>>(fn, states,
                                                                                    key);
        });
  }

private:
  data_stream<In> elements_;
  KeySelector key_;
  broadcast_stream<B> broadcast_;
};

} // namespace sluice

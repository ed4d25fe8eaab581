#pragma once
// What a trigger decides for a window (Flink's TriggerResult).

namespace sluice {

/// The outcome of a trigger callback: whether to evaluate the window and whether to clear it.
enum class trigger_result {
  continue_,     ///< do nothing
  fire,          ///< evaluate the window function, keep the contents
  purge,         ///< clear the contents without evaluating
  fire_and_purge ///< evaluate, then clear
};

/// True for fire and fire_and_purge.
constexpr bool is_fire(trigger_result r) {
  return r == trigger_result::fire || r == trigger_result::fire_and_purge;
}

/// True for purge and fire_and_purge.
constexpr bool is_purge(trigger_result r) {
  return r == trigger_result::purge || r == trigger_result::fire_and_purge;
}

} // namespace sluice

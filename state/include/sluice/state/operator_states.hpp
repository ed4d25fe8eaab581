#pragma once
// The operator state backend's states: list states and broadcast states over plain standard
// containers. The backend snapshots and restores them as a sequence of elements, each in its
// own byte form (a list element; a broadcast entry's key then value), so that it can
// redistribute elements among subtasks without knowing their types.

#include "sluice/state/broadcast_state.hpp"
#include "sluice/state/keyed_state.hpp"
#include "sluice/state/serialization.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

namespace detail {

/// How a state's elements are redistributed on restore.
enum class operator_state_mode : std::uint8_t { even_split, union_all, broadcast };

/// An operator state as the backend sees it.
class operator_state_base {
public:
  virtual ~operator_state_base() = default;
  /// Appends the byte form of every element.
  virtual void write_elements(std::vector<std::vector<char>>& out) const = 0;
  /// Adds restored elements; throws serialization_error if one is malformed.
  virtual void read_elements(const std::vector<std::vector<char>>& elements) = 0;
};

template <class T>
class operator_list_state final : public list_state<T>, public operator_state_base {
public:
  std::vector<T> get() override { return items_; }
  void add(const T& value) override { items_.push_back(value); }
  void add_all(const std::vector<T>& values) override {
    items_.insert(items_.end(), values.begin(), values.end());
  }
  void update(const std::vector<T>& values) override { items_ = values; }
  void clear() override { items_.clear(); }

  void write_elements(std::vector<std::vector<char>>& out) const override {
    for (auto& item : items_)
      out.push_back(to_bytes(item));
  }
  void read_elements(const std::vector<std::vector<char>>& elements) override {
    for (auto& bytes : elements)
      items_.push_back(from_bytes<T>(bytes));
  }

private:
  std::vector<T> items_;
};

template <class K, class V>
class operator_broadcast_state final : public broadcast_state<K, V>, public operator_state_base {
public:
  std::optional<V> get(const K& key) const override {
    auto it = entries_.find(key_bytes(key));
    return it == entries_.end() ? std::nullopt : std::optional<V>(it->second.second);
  }
  bool contains(const K& key) const override { return entries_.count(key_bytes(key)) != 0; }
  std::vector<std::pair<K, V>> entries() const override {
    std::vector<std::pair<K, V>> out;
    for (auto& [bytes, entry] : entries_)
      out.push_back(entry);
    return out;
  }
  void put(const K& key, const V& value) override {
    entries_.insert_or_assign(key_bytes(key), std::pair<K, V>(key, value));
  }
  void remove(const K& key) override { entries_.erase(key_bytes(key)); }
  void clear() override { entries_.clear(); }

  void write_elements(std::vector<std::vector<char>>& out) const override {
    for (auto& [bytes, entry] : entries_) {
      auto element = std::vector<char>(bytes.begin(), bytes.end());
      byte_writer w(element);
      serialize(w, entry.second);
      w.finish();
      out.push_back(std::move(element));
    }
  }
  void read_elements(const std::vector<std::vector<char>>& elements) override {
    for (auto& bytes : elements) {
      byte_reader r(bytes);
      auto key = deserialize<K>(r);
      auto value = deserialize<V>(r);
      if (!r.at_end())
        throw serialization_error(std::to_string(r.remaining()) + " trailing bytes after an entry");
      put(key, value);
    }
  }

private:
  /// Broadcast state is small and read rarely: a fresh buffer per call keeps it simple.
  static std::string key_bytes(const K& key) {
    auto bytes = to_bytes(key);
    return std::string(bytes.begin(), bytes.end());
  }

  /// Byte form of the key → the entry, so entries() comes out in byte order.
  std::map<std::string, std::pair<K, V>> entries_;
};

} // namespace detail
} // namespace sluice

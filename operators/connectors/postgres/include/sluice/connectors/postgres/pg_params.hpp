#pragma once
// pg_params: the parameters of a batch of rows, in PostgreSQL's text format, in one buffer
// (a binder appends one row's values; the sink ends the row).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

class pg_params {
public:
  /// Appends one parameter of the current row (text format: what PostgreSQL would parse).
  void add(std::string_view text);
  void add(const char* text) { add(std::string_view(text)); }
  void add(std::int64_t v);
  void add(std::int32_t v) { add(static_cast<std::int64_t>(v)); }
  void add(double v);
  void add(bool v) { add(std::string_view(v ? "t" : "f")); }
  void add_null();

  /// Closes the current row; returns its number of parameters.
  std::size_t end_row();
  std::size_t rows() const { return row_ends_.size(); }
  bool empty() const { return row_ends_.empty(); }
  void clear();

  /// Row `row`'s values as PQsendQueryPrepared takes them (null pointers for NULL).
  void values(std::size_t row, std::vector<const char*>& out) const;
  std::size_t params_of(std::size_t row) const;
  /// Appends every row in COPY's text format (tab-separated, \N for NULL, one line per row).
  void copy_text(std::string& out) const;
  /// These rows but row `row`.
  pg_params without(std::size_t row) const;
  /// Row `row` as "(v1, v2, NULL)", for errors.
  std::string describe(std::size_t row) const;
  /// The number of parameters of the row being built (not yet ended).
  std::size_t open_params() const { return offsets_.size() - row_start(rows()); }

private:
  std::size_t row_start(std::size_t row) const { return row == 0 ? 0 : row_ends_[row - 1]; }

  std::string chars_; ///< values, each followed by '\0'
  std::vector<std::int64_t> offsets_; ///< per parameter: offset in chars_, -1 for NULL
  std::vector<std::size_t> row_ends_; ///< per row: one past its last parameter in offsets_
};

} // namespace sluice

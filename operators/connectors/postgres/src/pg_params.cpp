#include "sluice/connectors/postgres/pg_params.hpp"

#include <charconv>
#include <cstdio>

namespace sluice {

void pg_params::add(std::string_view text) {
  offsets_.push_back(static_cast<std::int64_t>(chars_.size()));
  chars_.append(text);
  chars_.push_back('\0');
}

void pg_params::add(std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  add(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

void pg_params::add(double v) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%.17g", v);
  add(std::string_view(buf, static_cast<std::size_t>(n)));
}

void pg_params::add_null() { offsets_.push_back(-1); }

std::size_t pg_params::end_row() {
  const auto n = open_params();
  row_ends_.push_back(offsets_.size());
  return n;
}

void pg_params::clear() {
  chars_.clear();
  offsets_.clear();
  row_ends_.clear();
}

std::size_t pg_params::params_of(std::size_t row) const {
  return row_ends_[row] - row_start(row);
}

void pg_params::values(std::size_t row, std::vector<const char*>& out) const {
  out.clear();
  for (auto i = row_start(row); i < row_ends_[row]; ++i)
    out.push_back(offsets_[i] < 0 ? nullptr : chars_.data() + offsets_[i]);
}

void pg_params::copy_text(std::string& out) const {
  for (std::size_t r = 0; r < rows(); ++r) {
    for (auto i = row_start(r); i < row_ends_[r]; ++i) {
      if (i != row_start(r))
        out += '\t';
      if (offsets_[i] < 0) {
        out += "\\N";
        continue;
      }
      for (const char* c = chars_.data() + offsets_[i]; *c; ++c) {
        switch (*c) {
        case '\\': out += "\\\\"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        default: out += *c;
        }
      }
    }
    out += '\n';
  }
}

pg_params pg_params::without(std::size_t skipped) const {
  pg_params copy;
  for (std::size_t r = 0; r < rows(); ++r) {
    if (r == skipped)
      continue;
    for (auto i = row_start(r); i < row_ends_[r]; ++i) {
      if (offsets_[i] < 0)
        copy.add_null();
      else
        copy.add(std::string_view(chars_.data() + offsets_[i]));
    }
    copy.end_row();
  }
  return copy;
}

std::string pg_params::describe(std::size_t row) const {
  std::string s = "(";
  for (auto i = row_start(row); i < row_ends_[row]; ++i) {
    if (i != row_start(row))
      s += ", ";
    s += offsets_[i] < 0 ? std::string("NULL") : "'" + std::string(chars_.data() + offsets_[i]) + "'";
  }
  return s + ")";
}

} // namespace sluice

#include "line_io.hpp"

#include <fstream>
#include <iostream>

namespace window_aggregate {

void line_source::open(const sluice::runtime_context&) {
  if (!path_) {
    input_ = std::shared_ptr<std::istream>(&std::cin, [](std::istream*) {});
    return;
  }
  auto file = std::make_shared<std::ifstream>(*path_);
  if (!*file)
    throw sluice::source_error("cannot open '" + *path_ + "' for reading");
  input_ = std::move(file);
}

sluice::source_status line_source::poll(sluice::collector<std::string>& out,
                                        std::size_t max_records) {
  std::string line;
  for (std::size_t n = 0; n < max_records; ++n) {
    if (!std::getline(*input_, line)) {
      if (input_->bad())
        throw sluice::source_error("cannot read " + (path_ ? "'" + *path_ + "'" : "stdin"));
      return sluice::source_status::finished;
    }
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    out.collect(std::move(line));
  }
  return sluice::source_status::more;
}

} // namespace window_aggregate

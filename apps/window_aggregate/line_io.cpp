#include "line_io.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace window_aggregate {

void line_source::open(const sluice::runtime_context& ctx) {
  if (!path_) {
    input_ = std::shared_ptr<std::istream>(&std::cin, [](std::istream*) {});
    return;
  }
  auto file = std::make_shared<std::ifstream>(*path_, std::ios::binary);
  if (!*file)
    throw sluice::source_error("cannot open '" + *path_ + "' for reading");
  if (ctx.operator_state)
    position_ = &ctx.operator_state->get_list_state(
        sluice::list_state_descriptor<std::int64_t>("position"));
  if (ctx.restored && position_) {
    const auto position = position_->get();
    if (position.size() == 2) {
      offset_ = position[0];
      next_number_ = position[1];
      std::error_code ec;
      const auto size = std::filesystem::file_size(*path_, ec);
      if (ec || offset_ < 0 || static_cast<std::uintmax_t>(offset_) > size ||
          !file->seekg(offset_))
        throw sluice::source_error("cannot resume '" + *path_ + "' at byte " +
                                   std::to_string(offset_) + " (the file changed?)");
    }
  }
  input_ = std::move(file);
}

void line_source::snapshot_state(std::int64_t) {
  if (position_)
    position_->update({offset_, next_number_});
}

sluice::source_status line_source::poll(sluice::collector<numbered_line>& out,
                                        std::size_t max_records) {
  std::string line;
  for (std::size_t n = 0; n < max_records; ++n) {
    if (!std::getline(*input_, line)) {
      if (input_->bad())
        throw sluice::source_error("cannot read " + (path_ ? "'" + *path_ + "'" : "stdin"));
      return sluice::source_status::finished;
    }
    offset_ += static_cast<std::int64_t>(line.size()) + (input_->eof() ? 0 : 1);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    out.collect(numbered_line{next_number_++, std::move(line)});
  }
  return sluice::source_status::more;
}

} // namespace window_aggregate

#pragma once
// Word splitting as word_count does it: runs of letters, lower-cased.

#include <sluice/sluice.hpp>

#include <cctype>
#include <string>

namespace kafka_apps {

inline void split_words(const std::string& line, sluice::collector<std::string>& out) {
  std::string word;
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) {
      word.push_back(static_cast<char>(std::tolower(u)));
    } else if (!word.empty()) {
      out.collect(std::move(word));
      word.clear();
    }
  }
  if (!word.empty())
    out.collect(std::move(word));
}

} // namespace kafka_apps

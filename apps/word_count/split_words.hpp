#pragma once
// The word splitting of word_count (and kafka_word_count): runs of letters, lower-cased.

#include <sluice/sluice.hpp>

#include <cctype>
#include <string>

namespace word_count {

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

} // namespace word_count

#pragma once
// The splitting function of the user-metrics jobs (test_user_metrics, user_metrics_job): the
// runs of letters of a line, as they are (the tests count the words with their own loops).

#include <sluice/sluice.hpp>

#include <cctype>
#include <string>

namespace sluice::test {

inline void letter_words(std::string line, collector<std::string>& out) {
  std::string word;
  for (char c : line + " ") {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += c;
    } else if (!word.empty()) {
      out.collect(std::move(word));
      word.clear();
    }
  }
}

} // namespace sluice::test

#include "queries.hpp"

#include <chrono>
#include <ctime>
#include <map>

namespace nexmark {
namespace {

using builder = sluice::data_stream<row> (*)(sluice::data_stream<event>);

const std::map<std::string, builder>& builders() {
  static const std::map<std::string, builder> all{
      {"q0", query_q0},   {"q1", query_q1},   {"q2", query_q2},   {"q3", query_q3},
      {"q4", query_q4},   {"q5", query_q5},   {"q7", query_q7},   {"q8", query_q8},
      {"q9", query_q9},   {"q10", query_q10}, {"q11", query_q11}, {"q12", query_q12},
      {"q13", query_q13}, {"q14", query_q14}, {"q15", query_q15}, {"q16", query_q16},
      {"q17", query_q17}, {"q18", query_q18}, {"q19", query_q19}, {"q20", query_q20},
      {"q21", query_q21}, {"q22", query_q22}};
  return all;
}

} // namespace

const std::vector<std::string>& query_names() {
  static const std::vector<std::string> names{"q0",  "q1",  "q2",  "q3",  "q4",  "q5",
                                              "q7",  "q8",  "q9",  "q10", "q11", "q12",
                                              "q13", "q14", "q15", "q16", "q17", "q18",
                                              "q19", "q20", "q21", "q22"};
  return names;
}

void require_query(const std::string& name) {
  if (builders().count(name) == 0) {
    std::string known;
    for (const auto& n : query_names())
      known += (known.empty() ? "" : ", ") + n;
    throw sluice::config_error("flag --query: unknown query '" + name + "' (known: " + known +
                               ")");
  }
}

sluice::data_stream<row> build_query(const std::string& name, sluice::data_stream<event> events) {
  require_query(name);
  return builders().at(name)(std::move(events));
}

sluice::watermark_strategy<event> event_time_strategy() {
  return sluice::watermark_strategy<event>::for_bounded_out_of_orderness(std::chrono::seconds(4))
      .with_timestamp_assigner([](const event& e, std::int64_t) { return e.date_time(); });
}

std::string euros(std::int64_t price) {
  const std::int64_t cents = price * 908;
  std::string fraction = std::to_string(cents % 1000);
  return std::to_string(cents / 1000) + '.' + std::string(3 - fraction.size(), '0') + fraction;
}

} // namespace nexmark

namespace nexmark {

namespace {

/// a / b rounded towards negative infinity (b > 0).
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }

/// Writes v (0 <= v < 10^digits) as `digits` decimal digits at `at`.
void put_digits(char* at, std::int64_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i, v /= 10)
    at[i] = static_cast<char>('0' + v % 10);
}

} // namespace

std::string utc_date_time(std::int64_t epoch_ms) {
  // The proleptic Gregorian date of a day count (H. Hinnant's civil_from_days), without the C
  // library's time zone and locale machinery: the queries format a date per bid.
  const std::int64_t seconds = floor_div(epoch_ms, 1000);
  const std::int64_t days = floor_div(seconds, 86400);
  const std::int64_t second_of_day = seconds - days * 86400;
  const std::int64_t shifted = days + 719468; // days since 0000-03-01
  const std::int64_t era = floor_div(shifted, 146097);
  const std::int64_t day_of_era = shifted - era * 146097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_index = (5 * day_of_year + 2) / 153; // 0 = March
  const std::int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const std::int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  std::string text = "-00-00 00:00:00";
  put_digits(&text[1], month, 2);
  put_digits(&text[4], day, 2);
  put_digits(&text[7], second_of_day / 3600, 2);
  put_digits(&text[10], second_of_day / 60 % 60, 2);
  put_digits(&text[13], second_of_day % 60, 2);
  if (year >= 0 && year <= 9999) {
    char digits[4];
    put_digits(digits, year, 4);
    text.insert(0, digits, 4);
  } else {
    text.insert(0, std::to_string(year)); // as strftime's %Y
  }
  return text;
}

std::string utc_date(std::int64_t epoch_ms) { return utc_date_time(epoch_ms).substr(0, 10); }

} // namespace nexmark

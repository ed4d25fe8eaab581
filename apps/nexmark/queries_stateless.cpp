// The queries that look at one bid at a time: q0, q1, q2, q10, q13, q14, q21, q22.

#include "queries.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

namespace nexmark {
namespace {

/// "dayTime" for hours 8-18 (UTC), "nightTime" for hours 0-6 and 20-23, else "otherTime".
const char* bid_time_type(std::int64_t date_time) {
  const std::int64_t hour = date_time / 3600000 % 24;
  if (hour >= 8 && hour <= 18)
    return "dayTime";
  if (hour <= 6 || hour >= 20)
    return "nightTime";
  return "otherTime";
}

/// The value of the url's channel_id parameter (after '&' or at the start), if any.
std::optional<std::string> channel_id_of(const std::string& url) {
  for (std::size_t at = url.find("channel_id="); at != std::string::npos;
       at = url.find("channel_id=", at + 1)) {
    if (at != 0 && url[at - 1] != '&')
      continue;
    const auto begin = at + 11;
    return url.substr(begin, url.find('&', begin) - begin);
  }
  return std::nullopt;
}

/// The channel_id of q21: 0-3 for Apple, Google, Facebook and Baidu (any case), else the url's.
std::optional<std::string> q21_channel_id(const bid& b) {
  std::string lower = b.channel;
  for (auto& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [name, id] : {std::pair<const char*, const char*>{"apple", "0"},
                                 {"google", "1"}, {"facebook", "2"}, {"baidu", "3"}})
    if (lower == name)
      return std::string(id);
  return channel_id_of(b.url);
}

/// Part `index` (from 0) of `s` split at '/', empty if there are fewer.
std::string split_part(const std::string& s, int index) {
  std::size_t begin = 0;
  for (int i = 0; i < index; ++i) {
    begin = s.find('/', begin);
    if (begin == std::string::npos)
      return {};
    ++begin;
  }
  return s.substr(begin, s.find('/', begin) - begin);
}

} // namespace

std::optional<std::string> q0_line(const bid& b) {
  return csv(b.auction, b.bidder, b.price, b.date_time);
}

std::optional<std::string> q1_line(const bid& b) {
  return csv(b.auction, b.bidder, euros(b.price), b.date_time);
}

std::optional<std::string> q2_line(const bid& b) {
  if (b.auction % 123 != 0)
    return std::nullopt;
  return csv(b.auction, b.price);
}

std::optional<std::string> q10_line(const bid& b) {
  const std::string date_time = utc_date_time(b.date_time);
  return csv(b.auction, b.bidder, b.price, b.date_time, date_time.substr(0, 10),
             date_time.substr(11, 5));
}

std::string side_input_value(std::int64_t key) { return "side-" + std::to_string(key * 7 % 1000); }

std::optional<std::string> q13_line(const bid& b) {
  return csv(b.auction, b.bidder, b.price, b.date_time, side_input_value(b.auction % 10000));
}

std::optional<std::string> q14_line(const bid& b) {
  const std::int64_t milli_euros = b.price * 908; // 1000 * 0.908 * price
  if (milli_euros <= 1000000LL * 1000 || milli_euros >= 50000000LL * 1000)
    return std::nullopt;
  const auto c_counts = static_cast<std::int64_t>(std::count(b.extra.begin(), b.extra.end(), 'c'));
  return csv(b.auction, b.bidder, euros(b.price), bid_time_type(b.date_time), b.date_time,
             c_counts);
}

std::optional<std::string> q21_line(const bid& b) {
  auto id = q21_channel_id(b);
  if (!id)
    return std::nullopt;
  return csv(b.auction, b.bidder, b.price, b.channel, *id);
}

std::optional<std::string> q22_line(const bid& b) {
  return csv(b.auction, b.bidder, b.price, b.channel, split_part(b.url, 3), split_part(b.url, 4),
             split_part(b.url, 5));
}

sluice::data_stream<row> per_bid_query(sluice::data_stream<event> events, bid_line_fn fn,
                                       const std::string& name) {
  return events.filter([](const event& e) { return e.is_bid(); }, "bids")
      .flat_map(
          [fn](const event& e, sluice::collector<row>& out) {
            if (auto line = fn(e.new_bid))
              out.collect(row{std::move(*line), e.emitted_ns});
          },
          name);
}

sluice::data_stream<row> query_q0(sluice::data_stream<event> events) {
  return per_bid_query(std::move(events), q0_line, "q0");
}
sluice::data_stream<row> query_q1(sluice::data_stream<event> events) {
  return per_bid_query(std::move(events), q1_line, "q1");
}
sluice::data_stream<row> query_q2(sluice::data_stream<event> events) {
  return per_bid_query(std::move(events), q2_line, "q2");
}
sluice::data_stream<row> query_q10(sluice::data_stream<event> events) {
  return per_bid_query(std::move(events), q10_line, "q10");
}
sluice::data_stream<row> query_q13(sluice::data_stream<event> events) {
  return per_bid_query(std::move(events), q13_line, "q13");
}
sluice::data_stream<row> query_q14(sluice::data_stream<event> events) {
  return per_bid_query(std::move(events), q14_line, "q14");
}
sluice::data_stream<row> query_q21(sluice::data_stream<event> events) {
  return per_bid_query(std::move(events), q21_line, "q21");
}
sluice::data_stream<row> query_q22(sluice::data_stream<event> events) {
  return per_bid_query(std::move(events), q22_line, "q22");
}

} // namespace nexmark

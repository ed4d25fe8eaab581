#include "json_lines.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace nexmark {
namespace {

void append_string(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

/// Writes `"name":value` fields, comma-separated after the first.
class object_writer {
public:
  explicit object_writer(std::string& out) : out_(out) { out_ += '{'; }
  object_writer& field(const char* name, const std::string& value) {
    key(name);
    append_string(out_, value);
    return *this;
  }
  object_writer& field(const char* name, std::int64_t value) {
    key(name);
    out_ += std::to_string(value);
    return *this;
  }
  void end() { out_ += "}\n"; }

private:
  void key(const char* name) {
    if (!first_)
      out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  std::string& out_;
  bool first_ = true;
};

template <class T> T get_field(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end())
    throw std::runtime_error(std::string("missing field \"") + name + '"');
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string())
      throw std::runtime_error(std::string("field \"") + name + "\" is not a string");
  } else if (!it->is_number_integer()) {
    throw std::runtime_error(std::string("field \"") + name + "\" is not an integer");
  } else if (it->is_number_unsigned() &&
             it->template get<std::uint64_t>() >
                 static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
    // nlohmann holds integers past int64's range as unsigned: get<int64_t> would wrap them.
    throw std::runtime_error(std::string("field \"") + name + "\" is " + it->dump() +
                             ", out of range for a 64-bit integer");
  }
  return it->get<T>();
}

} // namespace

void append_json_line(std::string& out, const event& e) {
  object_writer w(out);
  if (e.is_person()) {
    const auto& p = e.new_person;
    w.field("type", std::string("person")).field("id", p.id).field("name", p.name);
    w.field("email_address", p.email_address).field("credit_card", p.credit_card);
    w.field("city", p.city).field("state", p.state).field("date_time", p.date_time);
    w.field("extra", p.extra);
  } else if (e.is_auction()) {
    const auto& a = e.new_auction;
    w.field("type", std::string("auction")).field("id", a.id).field("item_name", a.item_name);
    w.field("description", a.description).field("initial_bid", a.initial_bid);
    w.field("reserve", a.reserve).field("date_time", a.date_time).field("expires", a.expires);
    w.field("seller", a.seller).field("category", a.category).field("extra", a.extra);
  } else {
    const auto& b = e.new_bid;
    w.field("type", std::string("bid")).field("auction", b.auction).field("bidder", b.bidder);
    w.field("price", b.price).field("channel", b.channel).field("url", b.url);
    w.field("date_time", b.date_time).field("extra", b.extra);
  }
  w.end();
}

event parse_json_line(const std::string& line) {
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded())
    throw std::runtime_error("not valid JSON");
  if (!j.is_object())
    throw std::runtime_error("not a JSON object");
  const auto type = get_field<std::string>(j, "type");
  event e;
  if (type == "person") {
    e.kind = static_cast<std::int32_t>(event_kind::person);
    auto& p = e.new_person;
    p.id = get_field<std::int64_t>(j, "id");
    p.name = get_field<std::string>(j, "name");
    p.email_address = get_field<std::string>(j, "email_address");
    p.credit_card = get_field<std::string>(j, "credit_card");
    p.city = get_field<std::string>(j, "city");
    p.state = get_field<std::string>(j, "state");
    p.date_time = get_field<std::int64_t>(j, "date_time");
    p.extra = get_field<std::string>(j, "extra");
  } else if (type == "auction") {
    e.kind = static_cast<std::int32_t>(event_kind::auction);
    auto& a = e.new_auction;
    a.id = get_field<std::int64_t>(j, "id");
    a.item_name = get_field<std::string>(j, "item_name");
    a.description = get_field<std::string>(j, "description");
    a.initial_bid = get_field<std::int64_t>(j, "initial_bid");
    a.reserve = get_field<std::int64_t>(j, "reserve");
    a.date_time = get_field<std::int64_t>(j, "date_time");
    a.expires = get_field<std::int64_t>(j, "expires");
    a.seller = get_field<std::int64_t>(j, "seller");
    a.category = get_field<std::int64_t>(j, "category");
    a.extra = get_field<std::string>(j, "extra");
  } else if (type == "bid") {
    e.kind = static_cast<std::int32_t>(event_kind::bid);
    auto& b = e.new_bid;
    b.auction = get_field<std::int64_t>(j, "auction");
    b.bidder = get_field<std::int64_t>(j, "bidder");
    b.price = get_field<std::int64_t>(j, "price");
    b.channel = get_field<std::string>(j, "channel");
    b.url = get_field<std::string>(j, "url");
    b.date_time = get_field<std::int64_t>(j, "date_time");
    b.extra = get_field<std::string>(j, "extra");
  } else {
    throw std::runtime_error("unknown type \"" + type + "\" (person, auction or bid)");
  }
  return e;
}

std::vector<event> read_json_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot open for reading");
  std::vector<event> events;
  std::string line;
  for (std::int64_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    try {
      events.push_back(parse_json_line(line));
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  if (in.bad())
    throw std::runtime_error(path + ": read error");
  return events;
}

} // namespace nexmark

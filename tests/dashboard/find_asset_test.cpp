// The embedded dashboard files are the bytes of actors/dashboard/web, served under their names.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <sluice/dashboard/assets.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string web_file(const std::string& name) {
  std::ifstream in{std::string{SLUICE_DASHBOARD_WEB_DIR} + "/" + name, std::ios::binary};
  REQUIRE_MESSAGE(in, "cannot open web/" << name);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

} // namespace

TEST_CASE("/ is index.html, as HTML") {
  auto asset = sluice::dashboard::find_asset("/");
  REQUIRE(asset);
  CHECK(asset->content == web_file("index.html"));
  CHECK(asset->mime_type == "text/html; charset=utf-8");
}

TEST_CASE("every file of web/ is served under its own name with its type") {
  struct expected {
    const char* name;
    const char* mime_type;
  };
  for (auto [name, mime_type] : {expected{"index.html", "text/html; charset=utf-8"},
                                 expected{"style.css", "text/css; charset=utf-8"},
                                 expected{"app.js", "text/javascript; charset=utf-8"},
                                 expected{"page_job.js", "text/javascript; charset=utf-8"},
                                 expected{"dag.js", "text/javascript; charset=utf-8"}}) {
    CAPTURE(name);
    auto asset = sluice::dashboard::find_asset(std::string{"/"} + name);
    REQUIRE(asset);
    CHECK(asset->content == web_file(name));
    CHECK(asset->mime_type == mime_type);
  }
}

TEST_CASE("a query string or fragment does not change the file") {
  auto asset = sluice::dashboard::find_asset("/app.js?v=3#top");
  REQUIRE(asset);
  CHECK(asset->content == web_file("app.js"));
  auto index = sluice::dashboard::find_asset("/?refresh=1");
  REQUIRE(index);
  CHECK(index->content == web_file("index.html"));
}

TEST_CASE("paths that name no dashboard file find nothing") {
  for (const char* path : {"", "app.js", "/nope.js", "/jobs", "/web/app.js", "/../app.js",
                           "/app.js/", "/index.htm"}) {
    CAPTURE(path);
    CHECK_FALSE(sluice::dashboard::find_asset(path));
  }
}

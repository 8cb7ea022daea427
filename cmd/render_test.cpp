// End-to-end tests of `kubectl starform render`, running the built binary.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "testing/process.h"

namespace fs = std::filesystem;
using starform::testing::BuiltProgram;
using starform::testing::RunProcess;

namespace {

const std::string kTestdata = STARFORM_TESTDATA_DIR;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

starform::testing::ProcessResult Starform(std::vector<std::string> args,
                                          const std::string& input = "") {
  args.insert(args.begin(), BuiltProgram("kubectl-starform"));
  return RunProcess(args, input);
}

}  // namespace

// Golden files are the exact output of render; STARFORM_UPDATE_GOLDEN=1 rewrites them, after which
// `git diff testdata/golden` is what a reviewer reads.
TEST_CASE("render prints each example state exactly as its golden file") {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(kTestdata + "/states")) {
    const fs::path& state = entry.path();
    for (const std::string format : {"yaml", "json"}) {
      fs::path golden = fs::path(kTestdata) / "golden" /
                        (state.stem().string() +
                         (state.extension() == ".json" ? "-from-json" : "") + ".render." + format);
      auto result = Starform({"render", "-f", state.string(), "-o", format});
      INFO(state << " -o " << format << "\n" << result.err);
      REQUIRE(result.exit_code == 0);
      CHECK(result.err.empty());
      if (std::getenv("STARFORM_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(golden, std::ios::binary) << result.out;
      }
      REQUIRE(fs::exists(golden));
      CHECK(result.out == Slurp(golden));
      ++checked;
    }
  }
  CHECK(checked >= 8);
}

TEST_CASE("render -o json prints a v1 List whose items are the YAML documents") {
  std::string state = kTestdata + "/states/small.yaml";
  auto json = Starform({"render", "-f", state, "-o=json"});
  REQUIRE(json.exit_code == 0);
  auto list = nlohmann::json::parse(json.out);
  CHECK(list["apiVersion"] == "v1");
  CHECK(list["kind"] == "List");
  REQUIRE(list["items"].size() >= 4);
  CHECK(list["items"][0]["kind"] == "EnvoyProxy");
  CHECK(list["items"][1]["kind"] == "Gateway");
  CHECK(list["items"][2]["kind"] == "ClientTrafficPolicy");
}

TEST_CASE("render reads standard input with -f -") {
  std::string text = Slurp(kTestdata + "/states/small.yaml");
  auto from_stdin = Starform({"render", "-f", "-"}, text);
  auto from_file = Starform({"render", "--filename=" + kTestdata + "/states/small.yaml"});
  REQUIRE(from_stdin.exit_code == 0);
  CHECK(from_stdin.out == from_file.out);
}

TEST_CASE("render reports bad input with its position, exit 1 and no output") {
  std::string text =
      "apiVersion: starform.dev/v1alpha1\n"
      "kind: DesiredState\n"
      "cluster: do-nyc1-prod\n"
      "revision: \"1\"\n"
      "gateway:\n"
      "  className: eg\n"
      "  listeners:\n"
      "    - name: http\n"
      "      port: 80\n"
      "      protocol: HTTP\n"
      "apps:\n"
      "  - name: shop\n"
      "    namespace: tenant-a\n"
      "    hostname: [shop.starform.app]\n";
  auto result = Starform({"render", "-f", "-"}, text);
  CHECK(result.exit_code == 1);
  CHECK(result.out.empty());
  CHECK(result.err.find("<stdin>:14:5: apps[0]") != std::string::npos);
  CHECK(result.err.find("did you mean \"hostnames\"") != std::string::npos);
}

TEST_CASE("render names a missing file and exits 1") {
  auto result = Starform({"render", "-f", "/nonexistent/desired.yaml"});
  CHECK(result.exit_code == 1);
  CHECK(result.out.empty());
  CHECK(result.err == "error: open /nonexistent/desired.yaml: No such file or directory\n");
}

TEST_CASE("usage errors exit 1 with a pointer to --help") {
  auto unknown = Starform({"render", "-f", "x.yaml", "--bogus"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("--help") != std::string::npos);
  auto bad_format = Starform({"render", "-f", "x.yaml", "-o", "toml"});
  CHECK(bad_format.exit_code == 1);
  auto none = Starform({});
  CHECK(none.exit_code == 1);
}

TEST_CASE("kubectl's flag spellings reach the same options") {
  std::string state = kTestdata + "/states/small.yaml";
  auto reference = Starform({"render", "-f", state, "-o", "json"});
  REQUIRE(reference.exit_code == 0);
  for (std::vector<std::string> spelling :
       std::vector<std::vector<std::string>>{{"render", "-f=" + state, "-o=json"},
                                             {"render", "-f" + state, "-ojson"},
                                             {"render", "--filename", state, "--output=json"},
                                             {"-v=6", "render", "-f", state, "-o", "json"},
                                             {"--v=6", "render", "-f", state, "-o", "json"},
                                             {"render", "-f", state, "-o", "json", "-v", "2"}}) {
    auto result = Starform(spelling);
    INFO(spelling[1] << " " << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out == reference.out);
  }
}

TEST_CASE("version prints the version") {
  auto result = Starform({"version", "--client"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.rfind("Client Version: kubectl-starform ", 0) == 0);
}

// Saved plan files on disk (cmd/plan_file_io.h) and `kubectl starform show`, the latter running
// the built binary on the golden saved plans of testdata/golden/plan-json.

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cmd/plan_file_io.h"
#include "plan/plan_file.h"
#include "plan/plan_output.h"
#include "testing/process.h"

namespace fs = std::filesystem;
using nlohmann::json;
using starform::testing::BuiltProgram;
using starform::testing::RunProcess;

namespace starform {
namespace {

const fs::path kGolden = fs::path(STARFORM_TESTDATA_DIR) / "golden" / "plan-json";

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void Spit(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A fresh directory, removed with what is in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "starform-show-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::set<std::string> Names() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(path_))
      names.insert(entry.path().filename().string());
    return names;
  }

 private:
  fs::path path_;
};

json GoldenPlanDocument() {
  return json::parse(Slurp(kGolden / "every-action.planfile.json"));
}

Plan GoldenPlan() {
  Plan plan;
  std::string error;
  REQUIRE(ReadPlanFileDocument(GoldenPlanDocument(), &plan, &error));
  return plan;
}

mode_t ModeOf(const std::string& path) {
  struct stat info;
  REQUIRE(stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

TEST_CASE("WritePlanFile writes the document, and ReadPlanFile reads it back") {
  TempDir dir;
  std::string path = dir / "plan.out";
  json document = PlanFileDocument(GoldenPlan());
  std::string error;
  REQUIRE(WritePlanFile(path, document, &error));
  CHECK(error.empty());
  CHECK(Slurp(path) == Slurp(kGolden / "every-action.planfile.json"));
  CHECK(dir.Names() == std::set<std::string>{"plan.out"});

  Plan plan;
  REQUIRE(ReadPlanFile(path, &plan, &error));
  CHECK(PlanFileDocument(plan) == document);
}

TEST_CASE("WritePlanFile creates the file with mode 0600, whatever the umask") {
  TempDir dir;
  std::string error;
  mode_t old = umask(0);
  bool written = WritePlanFile(dir / "plan.out", PlanFileDocument(Plan{}), &error);
  // Replacing a readable file makes it private too: the new file is renamed over it.
  Spit(dir / "shared.out", "old");
  chmod((dir / "shared.out").c_str(), 0644);
  bool replaced = WritePlanFile(dir / "shared.out", PlanFileDocument(Plan{}), &error);
  umask(old);
  REQUIRE(written);
  REQUIRE(replaced);
  CHECK(ModeOf(dir / "plan.out") == 0600);
  CHECK(ModeOf(dir / "shared.out") == 0600);
  CHECK(Slurp(dir / "shared.out").rfind("{\n    \"apply\"", 0) == 0);
}

TEST_CASE("WritePlanFile in the current directory") {
  TempDir dir;
  fs::path cwd = fs::current_path();
  fs::current_path(dir.path());
  std::string error;
  bool written = WritePlanFile("plan.out", PlanFileDocument(Plan{}), &error);
  fs::current_path(cwd);
  INFO(error);
  CHECK(written);
  CHECK(dir.Names() == std::set<std::string>{"plan.out"});
}

TEST_CASE("WritePlanFile leaves nothing behind and the old file intact when it fails") {
  TempDir dir;
  std::string error;

  SECTION("the directory does not exist") {
    std::string path = dir / "missing/plan.out";
    CHECK_FALSE(WritePlanFile(path, PlanFileDocument(Plan{}), &error));
    CHECK(error == "create " + path + ": No such file or directory");
    CHECK(dir.Names().empty());
  }
  SECTION("the path is a directory") {
    fs::create_directory(dir / "plan.out");
    Spit(dir / "plan.out/keep", "x");
    CHECK_FALSE(WritePlanFile(dir / "plan.out", PlanFileDocument(Plan{}), &error));
    CHECK(error.find(" to " + (dir / "plan.out") + ": Is a directory") != std::string::npos);
    CHECK(error.rfind("rename ", 0) == 0);
    CHECK(dir.Names() == std::set<std::string>{"plan.out"});
  }
  SECTION("the path names no file") {
    CHECK_FALSE(WritePlanFile(dir / "", PlanFileDocument(Plan{}), &error));
    CHECK(error == "write " + (dir / "") + ": not a file name");
    CHECK(dir.Names().empty());
  }
  SECTION("writing fails half way") {
    std::string path = dir / "plan.out";
    Spit(path, "the plan reviewed yesterday");
    // A file size limit makes write() fail with EFBIG after the first bytes, as a full disk
    // would with ENOSPC.
    struct rlimit old_limit;
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    struct rlimit limit = old_limit;
    limit.rlim_cur = 100;
    auto old_handler = signal(SIGXFSZ, SIG_IGN);
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
    bool written = WritePlanFile(path, GoldenPlanDocument(), &error);
    setrlimit(RLIMIT_FSIZE, &old_limit);
    signal(SIGXFSZ, old_handler);
    CHECK_FALSE(written);
    CHECK(error == "write " + path + ": File too large");
    CHECK(dir.Names() == std::set<std::string>{"plan.out"});
    CHECK(Slurp(path) == "the plan reviewed yesterday");
  }
}

TEST_CASE("ReadPlanFile says what is wrong with a file, naming it") {
  TempDir dir;
  Plan plan;
  std::string error;
  std::string path = dir / "plan.out";

  CHECK_FALSE(ReadPlanFile(path, &plan, &error));
  CHECK(error == "open " + path + ": No such file or directory");

  Spit(path, "");
  CHECK_FALSE(ReadPlanFile(path, &plan, &error));
  CHECK(error == path + ": empty, not a saved plan");

  Spit(path, "{\"format_version\": \"1.0\",\n  oops}");
  CHECK_FALSE(ReadPlanFile(path, &plan, &error));
  CHECK(error == path +
                     ": not JSON: parse error at line 2, column 3: syntax error while parsing "
                     "object key - invalid literal; last read: '\"1.0\",<U+000A>  o'; expected "
                     "string literal");

  // Cut short, as a copy interrupted half way would leave it.
  std::string text = Slurp(kGolden / "every-action.planfile.json");
  Spit(path, text.substr(0, text.size() / 2));
  CHECK_FALSE(ReadPlanFile(path, &plan, &error));
  CHECK(error.rfind(path + ": not JSON: parse error at line ", 0) == 0);

  Spit(path, Slurp(kGolden / "every-action.json"));
  CHECK_FALSE(ReadPlanFile(path, &plan, &error));
  CHECK(error == path +
                     ": apply: missing (this is a plan's -o json output, not a saved plan: save "
                     "one with plan --out)");

  json document = GoldenPlanDocument();
  document["resource_changes"][3].erase("address");
  Spit(path, document.dump());
  CHECK_FALSE(ReadPlanFile(path, &plan, &error));
  CHECK(error == path + ": resource_changes[3].address: missing");

  document = GoldenPlanDocument();
  document["format_version"] = "2.0";
  Spit(path, document.dump());
  CHECK_FALSE(ReadPlanFile(path, &plan, &error));
  CHECK(error == path +
                     ": format_version: \"2.0\" is not supported (this kubectl-starform reads "
                     "1.x, the newest being 1.0)");
  CHECK(plan.resources.empty());
}

starform::testing::ProcessResult Starform(std::vector<std::string> args,
                                          const std::string& input = "",
                                          const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), BuiltProgram("kubectl-starform"));
  return RunProcess(args, input, env);
}

TEST_CASE("show -o json prints the plan's -o json document, not the apply section") {
  for (const std::string name : {"every-action", "no-changes"}) {
    INFO(name);
    auto result = Starform({"show", (kGolden / (name + ".planfile.json")).string(), "-o", "json"});
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
    CHECK(result.out == Slurp(kGolden / (name + ".json")));
  }
  auto equals =
      Starform({"show", "--output=json", (kGolden / "every-action.planfile.json").string()});
  CHECK(equals.out == Slurp(kGolden / "every-action.json"));
}

TEST_CASE("show reads a saved plan from standard input with -") {
  auto result =
      Starform({"show", "-", "-o", "json"}, Slurp(kGolden / "every-action.planfile.json"));
  CHECK(result.exit_code == 0);
  CHECK(result.out == Slurp(kGolden / "every-action.json"));
}

TEST_CASE("show prints the plan as text, in colour only on a terminal") {
  std::string file = (kGolden / "every-action.planfile.json").string();
  auto result = Starform({"show", file});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  Plan plan = GoldenPlan();
  CHECK(result.out == RenderPlanText(plan, TextOutputOptions{}));
  CHECK(result.out.find("httproute tenant-a/shop") != std::string::npos);
  CHECK(result.out.find('\x1b') == std::string::npos);  // stdout is a pipe here

  auto explicit_text = Starform({"show", file, "-o", "text"});
  CHECK(explicit_text.out == result.out);
  auto no_color = Starform({"--no-color", "show", file}, "", {"NO_COLOR=1"});
  CHECK(no_color.out == result.out);

  TextOutputOptions with_diff;
  with_diff.diff = true;
  auto diff = Starform({"show", file, "--diff"});
  CHECK(diff.exit_code == 0);
  CHECK(diff.out == RenderPlanText(plan, with_diff));
}

TEST_CASE("show refuses a bad file with error: on stderr and exit 1") {
  TempDir dir;
  auto missing = Starform({"show", dir / "plan.out"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.empty());
  CHECK(missing.err == "error: open " + (dir / "plan.out") + ": No such file or directory\n");

  Spit(dir / "garbled.out", "\x89PNG\r\n");
  auto garbled = Starform({"show", dir / "garbled.out", "-o", "json"});
  CHECK(garbled.exit_code == 1);
  CHECK(garbled.out.empty());
  CHECK(garbled.err.rfind("error: " + (dir / "garbled.out") + ": not JSON: parse error at line 1",
                          0) == 0);

  auto not_saved = Starform({"show", (kGolden / "every-action.json").string()});
  CHECK(not_saved.exit_code == 1);
  CHECK(not_saved.out.empty());
  CHECK(not_saved.err == "error: " + (kGolden / "every-action.json").string() +
                             ": apply: missing (this is a plan's -o json output, not a saved "
                             "plan: save one with plan --out)\n");
}

TEST_CASE("show usage errors exit 1") {
  auto no_file = Starform({"show"});
  CHECK(no_file.exit_code == 1);
  CHECK(no_file.err.find("--help") != std::string::npos);
  auto bad_format =
      Starform({"show", (kGolden / "every-action.planfile.json").string(), "-o", "yaml"});
  CHECK(bad_format.exit_code == 1);
  CHECK(bad_format.out.empty());
}

}  // namespace
}  // namespace starform

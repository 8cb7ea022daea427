// Every document under testdata/bad/ is loaded (parse, decode, validate) and its diagnostics are
// compared, exactly, with the sibling .expected file: one "file:line:column: path: message" line
// per diagnostic, in file order. A document whose .expected holds only warnings must load.
//
// To regenerate the .expected files after an intended change of wording, run the test with
// STARFORM_UPDATE_EXPECTED=1, then read every changed file before committing it.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "plan/desired_state.h"

namespace starform {
namespace {

namespace fs = std::filesystem;

const fs::path kBadDir = fs::path(STARFORM_TESTDATA_DIR) / "bad";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The inputs: every .yaml and .json file, in name order.
std::vector<fs::path> Inputs() {
  std::vector<fs::path> inputs;
  for (const fs::directory_entry& entry : fs::directory_iterator(kBadDir)) {
    std::string extension = entry.path().extension().string();
    if (extension == ".yaml" || extension == ".json")
      inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

fs::path ExpectedPath(const fs::path& input) {
  fs::path expected = input;
  expected.replace_extension(".expected");
  return expected;
}

bool HasErrorLine(const std::string& diagnostics) {
  std::istringstream lines(diagnostics);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(": warning: ") == std::string::npos)
      return true;
  }
  return false;
}

TEST_CASE("testdata/bad holds enough cases, each with its .expected", "[bad_input]") {
  std::vector<fs::path> inputs = Inputs();
  CHECK(inputs.size() >= 35);
  for (const fs::path& input : inputs) {
    INFO(input.filename().string());
    CHECK(fs::exists(ExpectedPath(input)));
  }
  // And no .expected without its input, which would be a test that never runs.
  for (const fs::directory_entry& entry : fs::directory_iterator(kBadDir)) {
    if (entry.path().extension() != ".expected")
      continue;
    fs::path stem = entry.path();
    bool has_input =
        fs::exists(stem.replace_extension(".yaml")) || fs::exists(stem.replace_extension(".json"));
    INFO(entry.path().filename().string());
    CHECK(has_input);
  }
}

TEST_CASE("every bad document gives exactly its expected diagnostics", "[bad_input]") {
  const bool update = std::getenv("STARFORM_UPDATE_EXPECTED") != nullptr;
  for (const fs::path& input : Inputs()) {
    const std::string source = "bad/" + input.filename().string();
    DYNAMIC_SECTION(source) {
      Diagnostics diags(source);
      DesiredState state;
      bool loaded = LoadDesiredState(ReadFile(input), source, &state, &diags);
      diags.SortByPosition();
      std::string actual = diags.ToString();
      if (update) {
        std::ofstream(ExpectedPath(input), std::ios::binary) << actual;
        continue;
      }
      std::string expected = ReadFile(ExpectedPath(input));
      CHECK(actual == expected);
      CHECK(loaded == !HasErrorLine(expected));
      CHECK_FALSE(expected.empty());  // a case that reports nothing tests nothing
    }
  }
}

}  // namespace
}  // namespace starform

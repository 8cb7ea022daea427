# A ctest test (cmake -P): every Catch test case of BINARY is a ctest test of its own.
#
# catch_discover_tests hands ctest the test case names as a CMake list, and CMake's list syntax
# mangles some names: a ';' splits one into two, an unbalanced '[' joins it with every name after
# it up to a ']'. Either way ctest gets tests that match no test case, and Catch passes them
# without running anything. Once, 61 test cases went unrun that way. This fails when the number
# of test cases in BINARY and of ctest tests named PREFIX... differ, naming both.
#
# Arguments: -DBINARY=path -DPREFIX="plan:" -DTEST_DIR=build dir. Only strings, no CMake lists:
# the names are what lists mangle.

# Catch 2 exits with the number of test cases listed, so only an empty list is an error.
execute_process(COMMAND "${BINARY}" --list-test-names-only
                OUTPUT_VARIABLE names RESULT_VARIABLE listed)
if(names STREQUAL "")
  message(FATAL_ERROR "${BINARY} --list-test-names-only listed nothing (${listed})")
endif()
string(REGEX REPLACE "[^\n]" "" newlines "${names}")
string(LENGTH "${newlines}" cases)

execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" -N --test-dir "${TEST_DIR}"
                OUTPUT_VARIABLE ctest_out RESULT_VARIABLE ran)
if(NOT ran EQUAL 0)
  message(FATAL_ERROR "ctest -N exited with ${ran}")
endif()
string(REGEX MATCHALL "Test +#[0-9]+: ${PREFIX}" registered "${ctest_out}")
list(LENGTH registered tests)

if(NOT cases EQUAL tests)
  message(FATAL_ERROR
          "${BINARY} has ${cases} test cases but ctest runs ${tests} tests named ${PREFIX}...: a "
          "test case name that CMake's list syntax mangles (';', or an unbalanced '[' or ']') "
          "was split or joined with others, and those tests run nothing. Rename it.")
endif()
message(STATUS "${cases} test cases, ${tests} ctest tests")

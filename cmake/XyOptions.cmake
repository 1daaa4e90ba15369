# Compiler options shared by every xinyong target.

set(XY_WARNINGS -Wall -Wextra -Werror)
set(XY_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)

if(XY_SANITIZE)
  add_compile_options(${XY_SANITIZER_FLAGS})
  add_link_options(${XY_SANITIZER_FLAGS})
endif()

if(XY_FUZZ)
  # Instrument the libraries for coverage; the fuzz executables add -fsanitize=fuzzer themselves.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  # Clang 18+ with Debian 12's libstdc++ 12 reports the C++17 deprecation of get_temporary_buffer
  # from inside std::stable_sort (llvm/llvm-project#76515; libstdc++ 13 fixed its header). The
  # warning is about the standard library, and the g++ build still checks our own deprecations.
  add_compile_options(-Wno-deprecated-declarations)
  add_link_options(-fsanitize=address,undefined)
endif()

# xy_target_defaults(TARGET): warnings as errors and the src/ include root.
function(xy_target_defaults target)
  target_compile_options(${target} PRIVATE ${XY_WARNINGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
endfunction()

# xy_add_test(NAME SOURCES... LIBS ...): one GoogleTest executable registered with ctest.
# Tests run from the source root so they can read tests/testdata/ and data/.
function(xy_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  xy_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  # Absolute root for test data, so a test binary finds tests/testdata/ from any folder.
  target_compile_definitions(${name} PRIVATE XY_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  # Shared test helpers (tests/temp_dir.h, …).
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       DISCOVERY_TIMEOUT 60)
endfunction()

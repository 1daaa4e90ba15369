# The libFuzzer targets, one per parser: fuzz/<name>.cc, seeds in fuzz/corpus/<name>/.
#
# Included by fuzz/CMakeLists.txt (which builds them) and tests/CMakeLists.txt (which smoke-runs the
# prebuilt binaries under ctest), so the two cannot drift apart. To add a parser, add its name here
# and create fuzz/<name>.cc and fuzz/corpus/<name>/.
#
# Run with `cmake -DFUZZER=… -DWORK=… -DSEEDS=… -DSECONDS=… -P XyFuzzTargets.cmake`, this file is
# also the ctest smoke runner: libFuzzer writes new inputs into its first corpus folder and crash
# files into the working folder, so each run starts from an emptied build-tree folder and only reads
# the seeds in the source tree.

set(XY_FUZZ_TARGETS
  fuzz_uscc
  fuzz_citizen_id
  fuzz_org_code
  fuzz_business_reg_no
  fuzz_region_table
  fuzz_normalize
)

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  foreach(var FUZZER WORK SEEDS SECONDS)
    if(NOT DEFINED ${var})
      message(FATAL_ERROR "XyFuzzTargets.cmake: -D${var}=… is required in script mode")
    endif()
  endforeach()
  file(REMOVE_RECURSE "${WORK}")
  file(MAKE_DIRECTORY "${WORK}/corpus")
  execute_process(
    COMMAND "${FUZZER}" -max_total_time=${SECONDS} -rss_limit_mb=2048 -artifact_prefix=${WORK}/
            "${WORK}/corpus" "${SEEDS}"
    WORKING_DIRECTORY "${WORK}"
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${FUZZER} failed (${rc}); the crashing input is in ${WORK}/")
  endif()
endif()

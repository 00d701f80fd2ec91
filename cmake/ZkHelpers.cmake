# Helper functions shared by every CMakeLists.txt in the tree.

set(ZK_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference
    -Wimplicit-fallthrough -Werror)
# GCC 12 at -O2/-O3 reports false -Wrestrict errors inside std::string's operator+
# (GCC bug 105651), which broke release builds of correct tests.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND ZK_WARNINGS -Wno-restrict)
  # Likewise -Wnull-dereference inside libstdc++'s istreambuf_iterator and
  # vector indexing at -O3 (false positives seen with GCC 12); clang builds (asan-ubsan,
  # fuzz) keep the warning.
  list(APPEND ZK_WARNINGS -Wno-null-dereference)
endif()

function(zk_target_defaults target)
  target_compile_options(${target} PRIVATE ${ZK_WARNINGS})
  if(ZK_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                           -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(ZK_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()

# zk_add_library(name SOURCES ... DEPS ...): one library with one job under src/<name>.
function(zk_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(zk_${name} STATIC ${ARG_SOURCES})
  target_include_directories(zk_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(zk_${name} PUBLIC ${ARG_DEPS})
  zk_target_defaults(zk_${name})
endfunction()

# zk_add_test(name SOURCES ... DEPS ...): a GoogleTest binary registered with ctest.
function(zk_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  zk_target_defaults(${name})
  target_compile_definitions(${name} PRIVATE ZK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()

# zk_add_fuzzer(name SOURCES ... DEPS ...): a libFuzzer target (only with ZK_FUZZ).
function(zk_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT ZK_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  zk_target_defaults(${name})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endfunction()

# zk_glob_library(name DEPS ...): a library from every *.cc in the current folder.
function(zk_glob_library name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  zk_add_library(${name} SOURCES ${srcs} DEPS ${ARG_DEPS})
endfunction()

# zk_glob_tests(name DEPS ...): one GoogleTest binary from every *_test.cc in the folder.
function(zk_glob_tests name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(srcs)
    zk_add_test(${name} SOURCES ${srcs} DEPS ${ARG_DEPS})
  endif()
endfunction()

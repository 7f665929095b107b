# ctest's check of the installed package (issue 5): installs the build tree SIPACTOR_BUILD_DIR
# into WORK_DIR/prefix, configures and builds EXAMPLE_SOURCE_DIR against it with
# find_package(sipactor) alone (CMAKE_PREFIX_PATH = the prefix), and runs the program.
# Usage: cmake -D SIPACTOR_BUILD_DIR=... -D EXAMPLE_SOURCE_DIR=... -D WORK_DIR=...
#              [-D CXX_COMPILER=...] [-D BUILD_TYPE=...] -P check_installed.cmake
cmake_minimum_required(VERSION 3.16)

foreach(var SIPACTOR_BUILD_DIR EXAMPLE_SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "check_installed.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE RelWithDebInfo)
endif()

set(prefix "${WORK_DIR}/prefix")
set(build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${what}: ok")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run("install" ${CMAKE_COMMAND} --install "${SIPACTOR_BUILD_DIR}" --prefix "${prefix}")
foreach(file include/sipactor/actors/stack.hpp include/sipactor/messages/message.hpp
             include/sipactor/transport/transport_config.hpp)
  if(NOT EXISTS "${prefix}/${file}")
    message(FATAL_ERROR "the install lacks ${file}")
  endif()
endforeach()

set(configure ${CMAKE_COMMAND} -S "${EXAMPLE_SOURCE_DIR}" -B "${build}" "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
if(CXX_COMPILER)
  list(APPEND configure "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
run("configure the example against ${prefix}" ${configure})
run("build the example" ${CMAKE_COMMAND} --build "${build}" -j 1)
run("run the example" "${build}/sipactor_embedding_example")
message(STATUS "${last_output}")

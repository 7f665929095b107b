# `cmake --install` (issue 5): the headers of messages/, transport/ and actors/ under
# include/sipactor/<folder>/, the static libraries, and a CMake package so that
#   find_package(sipactor) + target_link_libraries(app sipactor::sipactor)
# works. Included from the top-level CMakeLists.txt after the libraries are defined.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Everything a program embedding sipactor links (the `sipactor` command is not part of it).
add_library(sipactor_library INTERFACE)
target_link_libraries(sipactor_library INTERFACE
  sipactor_actors sipactor_auth sipactor_transport sipactor_tls sipactor_messages)
target_compile_features(sipactor_library INTERFACE cxx_std_17)
add_library(sipactor::sipactor ALIAS sipactor_library)

# Installed names: sipactor::sipactor, sipactor::actors, sipactor::messages, ... The static
# libraries carry their private dependencies as link-only ones, the build flags among them
# (which add sanitizer link options to a SIPACTOR_SANITIZE build): exported as well.
set(_sipactor_exported sipactor_library sipactor_actors sipactor_auth sipactor_transport sipactor_tls
    sipactor_messages sipactor_build_flags)
set_target_properties(sipactor_library PROPERTIES EXPORT_NAME sipactor)
foreach(lib actors auth transport tls messages build_flags)
  set_target_properties(sipactor_${lib} PROPERTIES EXPORT_NAME ${lib})
endforeach()

set(SIPACTOR_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/sipactor" CACHE STRING
    "Where the installed CMake package of sipactor goes, relative to the prefix")

install(TARGETS ${_sipactor_exported} EXPORT sipactorTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
# The libraries' INSTALL_INTERFACE include directory is include/sipactor: "actors/stack.hpp".
foreach(dir messages transport actors)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/${dir}/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/sipactor/${dir}"
          FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(EXPORT sipactorTargets NAMESPACE sipactor:: DESTINATION "${SIPACTOR_INSTALL_CMAKEDIR}")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/sipactorConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/sipactorConfig.cmake"
  INSTALL_DESTINATION "${SIPACTOR_INSTALL_CMAKEDIR}")
# 0.x: a minor version may change the API.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/sipactorConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/sipactorConfig.cmake"
  "${PROJECT_BINARY_DIR}/sipactorConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/FindCAF.cmake"
  DESTINATION "${SIPACTOR_INSTALL_CMAKEDIR}")
unset(_sipactor_exported)

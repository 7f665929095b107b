# sipactor_link_allocator(TARGET): links the allocator chosen by SIPACTOR_ALLOCATOR into a
# program. "tcmalloc": gperftools' tcmalloc_minimal (Debian libtcmalloc-minimal4) when it is
# installed, else glibc's malloc; "system": glibc's. Sanitizer builds keep the sanitizer's.
# Actors allocate a message on one scheduler thread and free it on another, which contends
# glibc's arena locks (bench/RESULTS.md, "Session 6").
function(sipactor_link_allocator target)
  if(NOT SIPACTOR_ALLOCATOR STREQUAL "tcmalloc" OR SIPACTOR_SANITIZE)
    return()
  endif()
  find_library(SIPACTOR_TCMALLOC NAMES tcmalloc_minimal libtcmalloc_minimal.so.4)
  if(SIPACTOR_TCMALLOC)
    # Nothing calls it by name: keep it needed so that its malloc and free replace glibc's.
    target_link_libraries(${target} PRIVATE "-Wl,--push-state,--no-as-needed" "${SIPACTOR_TCMALLOC}" "-Wl,--pop-state")
    message(STATUS "${target}: allocator tcmalloc_minimal (${SIPACTOR_TCMALLOC})")
  else()
    message(STATUS "${target}: allocator glibc (libtcmalloc-minimal4 not found)")
  endif()
endfunction()

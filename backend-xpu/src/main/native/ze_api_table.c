/* dlopen / dlsym of the Level Zero loader, and ze_result_t names (see ze_api_table.h). */
#include "ze_api_table.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

ze_api *attn4j_ze_open(const char *library, char *err, size_t err_size) {
    void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *why = dlerror();
        snprintf(err, err_size, "%s", why != NULL ? why : "dlopen failed");
        return NULL;
    }
    ze_api *api = calloc(1, sizeof(ze_api));
    if (api == NULL) {
        snprintf(err, err_size, "out of memory");
        dlclose(lib);
        return NULL;
    }
    api->library = lib;
#define ATTN4J_ZE_RESOLVE(name, params)                                                  \
    api->name = (ze_result_t(*) params)dlsym(lib, #name);                                \
    if (api->name == NULL) {                                                             \
        snprintf(err, err_size, "%s has no entry point %s (a Level Zero loader older than 1.0?)", \
                 library, #name);                                                        \
        attn4j_ze_close(api);                                                            \
        return NULL;                                                                     \
    }
    ATTN4J_ZE_FUNCTIONS(ATTN4J_ZE_RESOLVE)
#undef ATTN4J_ZE_RESOLVE
    return api;
}

void attn4j_ze_close(ze_api *api) {
    if (api != NULL) {
        dlclose(api->library);
        free(api);
    }
}

const char *attn4j_ze_result_name(ze_result_t r, char *buf, size_t buf_size) {
    switch (r) {
#define NAME(x) case x: return #x;
        NAME(ZE_RESULT_SUCCESS)
        NAME(ZE_RESULT_NOT_READY)
        NAME(ZE_RESULT_ERROR_DEVICE_LOST)
        NAME(ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY)
        NAME(ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY)
        NAME(ZE_RESULT_ERROR_MODULE_BUILD_FAILURE)
        NAME(ZE_RESULT_ERROR_MODULE_LINK_FAILURE)
        NAME(ZE_RESULT_ERROR_DEVICE_REQUIRES_RESET)
        NAME(ZE_RESULT_ERROR_DEVICE_IN_LOW_POWER_STATE)
        NAME(ZE_RESULT_ERROR_INSUFFICIENT_PERMISSIONS)
        NAME(ZE_RESULT_ERROR_NOT_AVAILABLE)
        NAME(ZE_RESULT_ERROR_DEPENDENCY_UNAVAILABLE)
        NAME(ZE_RESULT_ERROR_UNINITIALIZED)
        NAME(ZE_RESULT_ERROR_UNSUPPORTED_VERSION)
        NAME(ZE_RESULT_ERROR_UNSUPPORTED_FEATURE)
        NAME(ZE_RESULT_ERROR_INVALID_ARGUMENT)
        NAME(ZE_RESULT_ERROR_INVALID_NULL_HANDLE)
        NAME(ZE_RESULT_ERROR_HANDLE_OBJECT_IN_USE)
        NAME(ZE_RESULT_ERROR_INVALID_NULL_POINTER)
        NAME(ZE_RESULT_ERROR_INVALID_SIZE)
        NAME(ZE_RESULT_ERROR_UNSUPPORTED_SIZE)
        NAME(ZE_RESULT_ERROR_UNSUPPORTED_ALIGNMENT)
        NAME(ZE_RESULT_ERROR_INVALID_SYNCHRONIZATION_OBJECT)
        NAME(ZE_RESULT_ERROR_INVALID_ENUMERATION)
        NAME(ZE_RESULT_ERROR_UNSUPPORTED_ENUMERATION)
        NAME(ZE_RESULT_ERROR_UNSUPPORTED_IMAGE_FORMAT)
        NAME(ZE_RESULT_ERROR_INVALID_NATIVE_BINARY)
        NAME(ZE_RESULT_ERROR_INVALID_GLOBAL_NAME)
        NAME(ZE_RESULT_ERROR_INVALID_KERNEL_NAME)
        NAME(ZE_RESULT_ERROR_INVALID_FUNCTION_NAME)
        NAME(ZE_RESULT_ERROR_INVALID_GROUP_SIZE_DIMENSION)
        NAME(ZE_RESULT_ERROR_INVALID_GLOBAL_WIDTH_DIMENSION)
        NAME(ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_INDEX)
        NAME(ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE)
        NAME(ZE_RESULT_ERROR_INVALID_KERNEL_ATTRIBUTE_VALUE)
        NAME(ZE_RESULT_ERROR_INVALID_MODULE_UNLINKED)
        NAME(ZE_RESULT_ERROR_INVALID_COMMAND_LIST_TYPE)
        NAME(ZE_RESULT_ERROR_OVERLAPPING_REGIONS)
        NAME(ZE_RESULT_ERROR_UNKNOWN)
#undef NAME
        default:
            snprintf(buf, buf_size, "ZE_RESULT_0x%x", (unsigned)r);
            return buf;
    }
}

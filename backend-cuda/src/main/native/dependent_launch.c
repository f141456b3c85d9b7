/*
 * JNI entry points of dev.attn4j.cuda.DependentLaunch: one kernel launch through cuLaunchKernelEx
 * with programmatic stream serialization (CUDA's programmatic dependent launch, sm_90 and later),
 * which JCuda 12.6 does not expose. With it the launched grid may start while the kernel before it
 * on the stream is still running; each attn4j kernel waits (griddepcontrol.wait, grid_dependency.cuh)
 * before its first access to memory an earlier kernel may write, so only its start overlaps.
 *
 * Nothing is linked: cuLaunchKernelEx is looked up in the libcuda.so.1 JCuda already loaded. The
 * function and stream handles are JCuda objects, read from their nativePointer field.
 */
#include <cuda.h>
#include <dlfcn.h>
#include <jni.h>
#include <stddef.h>
#include <stdint.h>

typedef CUresult (*launch_ex_fn)(const CUlaunchConfig *, CUfunction, void **, void **);

/* Larger than any attn4j parameter block (ParamBlock's buffer is 4096 bytes). */
#define MAX_PARAM_BYTES 4096

static launch_ex_fn launch_ex;
static jfieldID native_pointer;

/* Returns NULL when launches can be made, else why not (a static string). */
JNIEXPORT jstring JNICALL Java_dev_attn4j_cuda_DependentLaunch_init0(JNIEnv *env, jclass cls) {
    (void)cls;
    void *cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
    if (cuda == NULL) {
        cuda = dlopen("libcuda.so.1", RTLD_NOW);
    }
    if (cuda == NULL) {
        return (*env)->NewStringUTF(env, "libcuda.so.1 could not be opened");
    }
    launch_ex = (launch_ex_fn)dlsym(cuda, "cuLaunchKernelEx");
    if (launch_ex == NULL) {
        return (*env)->NewStringUTF(env, "the CUDA driver has no cuLaunchKernelEx (a driver older than CUDA 12.0)");
    }
    jclass pointer = (*env)->FindClass(env, "jcuda/NativePointerObject");
    if (pointer == NULL) {
        return NULL; /* NoClassDefFoundError pending */
    }
    native_pointer = (*env)->GetFieldID(env, pointer, "nativePointer", "J");
    if (native_pointer == NULL) {
        return NULL; /* NoSuchFieldError pending: a JCuda whose handles are laid out otherwise */
    }
    return NULL;
}

/*
 * Launches `function` on `stream`: a grid of gx x gy blocks of bx threads, `smem` bytes of dynamic
 * shared memory, one by-value parameter (`params`, a kernel's parameter struct). Returns the
 * CUresult.
 */
JNIEXPORT jint JNICALL Java_dev_attn4j_cuda_DependentLaunch_launch0(JNIEnv *env, jclass cls, jobject function, jint gx,
                                                                     jint gy, jint bx, jint smem, jobject stream,
                                                                     jbyteArray params) {
    (void)cls;
    _Alignas(16) unsigned char block[MAX_PARAM_BYTES];
    jsize n = (*env)->GetArrayLength(env, params);
    if (n > MAX_PARAM_BYTES) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    (*env)->GetByteArrayRegion(env, params, 0, n, (jbyte *)block);
    CUlaunchAttribute attribute = {0};
    attribute.id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
    attribute.value.programmaticStreamSerializationAllowed = 1;
    CUlaunchConfig config = {0};
    config.gridDimX = (unsigned)gx;
    config.gridDimY = (unsigned)gy;
    config.gridDimZ = 1;
    config.blockDimX = (unsigned)bx;
    config.blockDimY = 1;
    config.blockDimZ = 1;
    config.sharedMemBytes = (unsigned)smem;
    config.hStream = (CUstream)(intptr_t)(*env)->GetLongField(env, stream, native_pointer);
    config.attrs = &attribute;
    config.numAttrs = 1;
    void *args[] = {block};
    CUfunction f = (CUfunction)(intptr_t)(*env)->GetLongField(env, function, native_pointer);
    return (jint)launch_ex(&config, f, args, NULL);
}

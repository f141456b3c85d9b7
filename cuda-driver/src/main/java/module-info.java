/**
 * The CUDA driver API layer (JCuda) that the libcuda backends, cuda and ilu, share; no provider of
 * its own. Exported to everyone because those backends' public constructors take its
 * {@code DeviceSource} (a host that lists devices itself passes one).
 *
 * <p>{@code jcuda} is JCuda's automatic module name, taken from its jar's file name: JCuda 12.6
 * declares none. On the module path JCuda cannot find its native library in its separate natives
 * jar by itself; {@code JCudaNatives} puts it where JCuda looks first.
 */
// Said above: the automatic module is the only name the library has.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.attn4j.cudadriver {
    requires transitive dev.attn4j.api;
    requires transitive jcuda;
    requires org.slf4j;

    exports dev.attn4j.cudadriver;
}

package dev.attn4j.it.osgi;

import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The OSGi scenario, run by {@link OsgiFrameworkTest} in a JVM of its own whose class path holds
 * Felix and this class only (so no attn4j class is visible but through bundles, and native
 * libraries load once). It prints one {@code step<n>: ...} line per step, which the test checks:
 * <ol>
 *   <li>Felix with Apache Aries SPI Fly (the Service Loader Mediator), slf4j, attn4j's api,
 *       conformance, selector and cpu bundles and the host bundle: the host selects cpu and runs a
 *       decode case against the float64 reference;
 *   <li>the xpu bundle and a wrapped JOCL are installed and started at run time: a new selection
 *       sees xpu (on PoCL, with attn4j.xpu.allowAnyOpenClDevice, it is chosen and validated);
 *   <li>they are uninstalled and the framework refreshed: xpu is gone from the report, cpu is
 *       chosen again, and xpu's class loader can be collected (nothing of attn4j holds on to it).
 * </ol>
 * Arguments: the storage directory, then {@code kind:location} in install order, kind being
 * {@code early}, {@code host} (the host bundle, installed with the early ones) or {@code late}.
 */
public final class OsgiScenario {
    private OsgiScenario() {
    }

    /** Exits with 0 after the last step, 1 after any error (Felix's non-daemon threads would keep the JVM up). */
    public static void main(String[] args) {
        try {
            scenario(args);
            System.exit(0);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }

    private static void scenario(String[] args) throws Exception {
        Felix felix = new Felix(Map.of(
                Constants.FRAMEWORK_STORAGE, args[0],
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        felix.start();
        BundleContext ctx = felix.getBundleContext();
        List<Bundle> early = new ArrayList<>();
        List<String> lateLocations = new ArrayList<>();
        Bundle host = null;
        for (int i = 1; i < args.length; i++) {
            String kind = args[i].substring(0, args[i].indexOf(':'));
            String location = args[i].substring(kind.length() + 1);
            switch (kind) {
                case "late" -> lateLocations.add(location);
                case "host" -> early.add(host = ctx.installBundle(location));
                default -> early.add(ctx.installBundle(location));
            }
        }
        // In install order: SPI Fly comes first and weaves consumers as their classes load.
        for (Bundle b : early) {
            b.start();
        }
        System.out.println("step1: " + run(host));

        List<Bundle> late = new ArrayList<>();
        for (String location : lateLocations) {
            late.add(ctx.installBundle(location));
        }
        for (Bundle b : late) {
            b.start();
        }
        Bundle xpu = late.stream().filter(b -> b.getSymbolicName().equals("dev.attn4j.xpu")).findFirst().orElseThrow();
        WeakReference<ClassLoader> xpuLoader = new WeakReference<>(xpu.adapt(BundleWiring.class).getClassLoader());
        // The mediator registers a started bundle's providers asynchronously: wait until selection sees xpu.
        String second = run(host);
        for (int i = 0; i < 50 && !second.contains("xpu:"); i++) {
            Thread.sleep(100);
            second = run(host);
        }
        System.out.println("step2: " + second);

        for (Bundle b : late) {
            b.uninstall();
        }
        refresh(felix, late);
        System.out.println("step3: " + run(host) + " xpuState=" + (xpu.getState() == Bundle.UNINSTALLED ? "UNINSTALLED"
                : String.valueOf(xpu.getState())) + " xpuLoaderCollected=" + collected(xpuLoader));
        felix.stop();
        felix.waitForStop(30_000);
        System.out.println("stopped");
    }

    /** The host bundle's selection, called reflectively: only a String crosses the framework. */
    private static String run(Bundle host) throws Exception {
        return (String) host.loadClass("dev.attn4j.it.osgi.host.OsgiHost").getMethod("selectAndDecode").invoke(null);
    }

    private static void refresh(Felix felix, List<Bundle> bundles) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        felix.adapt(FrameworkWiring.class).refreshBundles(bundles, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the framework did not finish refreshing");
        }
    }

    /** Whether the class loader is gone after a few collections. */
    private static boolean collected(WeakReference<ClassLoader> ref) throws InterruptedException {
        for (int i = 0; i < 40 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ref.get() == null;
    }
}

package dev.attn4j.xpu;

/**
 * Prints the xpu probe's outcome for a loader library (args[0]) with OpenCL devices other than
 * Intel GPUs declined: run in a child JVM by {@link XpuProbeCausesTest} where the environment
 * must differ from the test JVM's (no OpenCL ICD registered).
 */
public final class ProbeCauseMain {
    private ProbeCauseMain() {
    }

    public static void main(String[] args) {
        System.out.println(XpuProbe.run(new XpuProbe.Settings(args[0], false)).availability());
    }
}

package dev.attn4j.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;

/**
 * A progress bar on the error stream, so standard output stays exactly the report (and valid JSON
 * with {@code --json}). It renders through the command's error writer rather than System.err, so
 * tests capture it too, and with a fixed width: asking the terminal for its width would start JLine,
 * which warns on stderr when there is no terminal (CI, pipes).
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    static Progress start(PrintWriter err, String task, long steps) {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new WriterConsumer(err, width()))
                .build();
        return new Progress(bar);
    }

    /** Advances one step and shows what is running now. */
    void step(String message) {
        bar.setExtraMessage(message);
        bar.step();
    }

    void message(String message) {
        bar.setExtraMessage(message);
    }

    @Override
    public void close() {
        bar.close();
    }

    /** $COLUMNS when the shell exports it, else 100. */
    private static int width() {
        try {
            String c = System.getenv("COLUMNS");
            return c == null ? 100 : Math.max(40, Integer.parseInt(c.trim()));
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    /** Redraws the bar in place with a carriage return; ends the line when the bar closes. */
    private static final class WriterConsumer implements ProgressBarConsumer {
        private final PrintWriter err;
        private final int width;

        WriterConsumer(PrintWriter err, int width) {
            this.err = err;
            this.width = width;
        }

        @Override
        public int getMaxRenderedLength() {
            return width;
        }

        @Override
        public void accept(String rendered) {
            synchronized (err) {
                // Padded to the full width: a shorter line must overwrite all of the previous one.
                err.print('\r');
                err.print(rendered);
                err.print(" ".repeat(Math.max(0, width - rendered.length())));
                err.flush();
            }
        }

        @Override
        public void close() {
            synchronized (err) {
                err.println();
                err.flush();
            }
        }
    }
}

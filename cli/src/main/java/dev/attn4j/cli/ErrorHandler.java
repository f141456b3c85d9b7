package dev.attn4j.cli;

import dev.attn4j.api.Attn4jException;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.UnsupportedConfigurationException;
import dev.attn4j.selector.SelectionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;

/**
 * Turns attn4j's exceptions into a message and an exit code instead of a stack trace: they describe
 * what the user asked for or what the machine has, and their messages already say what to fix.
 * <ul>
 *   <li>{@link InvalidRequestException}, {@link UnsupportedConfigurationException}: the request is
 *       wrong or not implemented (an unknown backend name lists the valid ones) → 2, like a usage
 *       error;
 *   <li>{@link SelectionException}: no backend could serve → its report, 1;
 *   <li>any other {@link Attn4jException} (device fault, backend unavailable) → its message, 1.
 * </ul>
 * Anything else is a bug in attn4j and keeps its stack trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof InvalidRequestException || e instanceof UnsupportedConfigurationException) {
            err.println("attn4j: error: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        if (e instanceof SelectionException) {
            err.println("attn4j: error: " + e.getMessage());
            err.println();
            err.print(((SelectionException) e).report().table());
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        if (e instanceof Attn4jException) {
            err.println("attn4j: error: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        err.println("attn4j: internal error (please report it):");
        e.printStackTrace(err);
        err.flush();
        return CommandLine.ExitCode.SOFTWARE;
    }
}

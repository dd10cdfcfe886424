package io.eiscope.engine.spec;

/**
 * Types of component parameters; values are Double, Long, Boolean, String and List&lt;Long&gt;. A
 * {@link #NAME_LIST} is a String: comma-separated names from the parameter's choices, or {@code all}.
 */
public enum ParamType {
    NUMBER,
    INTEGER,
    FLAG,
    CHOICE,
    INT_LIST,
    NAME_LIST
}

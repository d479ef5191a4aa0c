package fr.snp.dispatch.redis;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the components of a script call record that are Redis keys (KEYS in Lua); the others are arguments (ARGV).
 * Keys come first in a record, in the order the script's header lists them.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Key {
}

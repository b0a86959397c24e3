/**
 * The central, tamper-evident audit log. The store and collector land with the audit issue; this
 * module exists so the dependency graph has its final shape from the start.
 */
package dev.bulwark.audit;

/** TLS building blocks shared by services and components: keys that can be replaced live. */
package dev.bulwark.sdk.tls;

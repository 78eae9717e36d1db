// Package docs holds the project's documentation; its test checks that the Markdown renders
// as written (every table row belongs to a table).
package docs

// asciinema-player ships no types; the part the console calls (docs: docs.asciinema.org/manual/player/api).
declare module "asciinema-player" {
  export function create(src: string | { data: string }, element: HTMLElement, options?: Record<string, unknown>): unknown;
}

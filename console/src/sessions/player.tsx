/**
 * asciinema-player on a recording, loaded only when a recording is opened (the player and its
 * WebAssembly terminal stay out of the console's first load). `seek` moves it to a moment;
 * changing the speed rebuilds it at the same moment.
 */
import { create } from "asciinema-player";
import "asciinema-player/dist/bundle/asciinema-player.css";
import { useEffect, useRef } from "react";

export interface SeekRequest {
  at: number;
  /** A new number for each request, so the same moment can be asked for twice. */
  nonce: number;
}

interface Player {
  seek(at: number): Promise<void>;
  getCurrentTime(): Promise<number>;
  pause(): Promise<void>;
  dispose(): void;
}

export default function TerminalPlayer(props: { cast: string; cols: number; rows: number; speed: number; markers: [number, string][]; seek: SeekRequest | null; title: string }) {
  const { cast, cols, rows, speed, markers, seek, title } = props;
  const host = useRef<HTMLDivElement>(null);
  const player = useRef<Player | null>(null);
  const position = useRef(0);

  useEffect(() => {
    if (!host.current) return;
    const p = create({ data: cast }, host.current, { cols, rows, speed, markers, fit: "both", preload: true, startAt: position.current, controls: true }) as unknown as Player;
    player.current = p;
    // The player's time readout is a read-only textbox without a name (axe: aria-input-field-name);
    // its control bar is drawn when the recording loads, so it is named as it appears.
    const name = () => host.current?.querySelectorAll(".ap-timer:not([aria-label])").forEach((el) => el.setAttribute("aria-label", "Playback time"));
    const labels = new MutationObserver(name);
    labels.observe(host.current, { childList: true, subtree: true });
    name();
    return () => {
      labels.disconnect();
      void p.getCurrentTime().then((t) => (position.current = t), () => undefined);
      p.dispose();
      player.current = null;
    };
  }, [cast, cols, rows, speed, markers]);

  useEffect(() => {
    if (!seek || !player.current) return;
    position.current = seek.at;
    const p = player.current;
    void p.pause().then(() => p.seek(seek.at));
  }, [seek]);

  return <div className="terminal" ref={host} role="region" aria-label={title} data-testid="player" />;
}

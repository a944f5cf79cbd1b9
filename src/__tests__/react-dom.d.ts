/**
 * The parts of react-dom the tests use (the package ships no types, and @types/react-dom is not a dependency).
 */
declare module 'react-dom/client' {
  import { ReactNode } from 'react';

  export interface Root {
    render(children: ReactNode): void;
    unmount(): void;
  }
  export function createRoot(container: Element): Root;
}

declare module 'react-dom/test-utils' {
  export function act(callback: () => void): void;
}

/** A stylesheet's text, as Vite gives it for `import text from './file.css?inline'`. */
declare module '*.css?inline' {
  const text: string;
  export default text;
}

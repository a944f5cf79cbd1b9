import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * Where the qhybrid-lab REST API lives, relative to the server's base URL.
 */
export const API_NAMESPACE = 'qhybrid-lab/api';

/**
 * What the panel says when the server half of the extension is missing.
 */
export const SERVER_MISSING_MESSAGE =
  'The qhybrid-lab server extension is not enabled: pip install qhybrid-lab, then restart JupyterLab';

/**
 * Raised when the REST API root answers 404: the server extension is not installed or not enabled.
 */
export class ServerExtensionMissing extends Error {
  constructor() {
    super(SERVER_MISSING_MESSAGE);
    this.name = 'ServerExtensionMissing';
  }
}

/**
 * Call the qhybrid-lab REST API: the only place the sidebar talks to the server.
 *
 * @param endpoint - path under `/qhybrid-lab/api/`, with its query string
 * @param init - fetch options (method, body)
 * @param settings - the server connection settings (`app.serviceManager.serverSettings`)
 * @returns the decoded JSON answer
 * @throws ServerConnection.ResponseError on an HTTP error, with the server's message;
 *   ServerExtensionMissing when the API root itself is not there
 */
export async function requestAPI<T>(
  endpoint: string,
  init: RequestInit,
  settings: ServerConnection.ISettings
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endpoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  let data: unknown = text;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON (a plain 404 page, for instance): keep the text
    }
  }
  if (!response.ok) {
    if (response.status === 404 && (endpoint === '' || endpoint.startsWith('?'))) {
      throw new ServerExtensionMissing();
    }
    const serverMessage =
      typeof data === 'object' && data !== null ? (data as { message?: unknown }).message : undefined;
    const message = serverMessage ? String(serverMessage) : `${response.status} ${response.statusText}`;
    throw new ServerConnection.ResponseError(response, message);
  }
  return data as T;
}

/**
 * A query string from the defined entries of `params` (`?a=1&b=x`), or '' when there are none.
 */
export function query(params: Record<string, string | number | null | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

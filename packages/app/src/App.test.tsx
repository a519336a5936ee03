import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('opens on the sign-in page offering guest access', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'vWorkspace Fleet' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any, // APP_CONFIG is read as structured data by the app, not as a string
    };

    render(App.createRoot());

    expect(
      await screen.findByText(/Enter as a Guest User/, {}, { timeout: 15000 }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Enter' })).toBeEnabled();
  }, 30000);
});

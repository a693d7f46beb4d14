precision mediump float;
varying vec4 lit_color;
void main()
{
    gl_FragColor = lit_color;
}
